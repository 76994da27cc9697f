# Wrong fix: replace COPY . . with COPYs of the folders the app needs, source first.
# BuildKit then sends and copies less, so the image is slim, but the install still comes
# after the source, and any COPY . . added later brings testdata/ and .git/ back.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
FROM drydock/lab-base:latest
WORKDIR /app
COPY src/ ./src/
COPY deps.lock ./
COPY tools/ ./tools/
RUN sh tools/install-deps.sh deps.lock
EXPOSE 8080
CMD ["sh", "/app/src/serve.sh"]
DOCKERFILE
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
wait_until 10 container_is_up "$cid"
