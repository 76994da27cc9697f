# Wrong fix: only the layer order. Code changes now reuse the dependency layer, but the
# context still carries testdata/ and .git/, and COPY . . still puts them into the image.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
FROM drydock/lab-base:latest
WORKDIR /app
COPY deps.lock ./
COPY tools/ ./tools/
RUN sh tools/install-deps.sh deps.lock
COPY . .
EXPOSE 8080
CMD ["sh", "/app/src/serve.sh"]
DOCKERFILE
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
wait_until 10 container_is_up "$cid"
