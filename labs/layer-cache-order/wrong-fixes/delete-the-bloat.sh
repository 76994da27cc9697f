# Wrong fix: shrink the context by deleting what is big. The build is fast and the image
# small, but the test data and the repository's history are gone.
set -euo pipefail
rm -rf testdata .git
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
