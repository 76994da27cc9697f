# Wrong fix: the layer order fixed, and testdata/ and .git/ deleted inside the image by a
# later RUN instead of being left out of the context. Nothing is visible inside the
# container any more, but the COPY . . layer still holds both folders: the image is as
# big as before, and every build still sends them to the builder.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
FROM drydock/lab-base:latest
WORKDIR /app
COPY deps.lock ./
COPY tools/install-deps.sh ./tools/
RUN sh tools/install-deps.sh deps.lock
COPY . .
RUN rm -rf testdata .git
EXPOSE 8080
CMD ["sh", "/app/src/serve.sh"]
DOCKERFILE
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
wait_until 10 container_is_up "$cid"
