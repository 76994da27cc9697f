# Right fix, another mechanism: no COPY before the install at all. The RUN step mounts
# deps.lock and the install script from the context for that step only (RUN --mount
# type=bind): its cache key covers the mounted files, so only a change to them reruns
# it. The .dockerignore uses a ** pattern for .git.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
# tidewise: tide predictions for the harbours of the Ellery coast, served by busybox httpd.
FROM drydock/lab-base:latest
WORKDIR /app
RUN --mount=type=bind,source=deps.lock,target=/mnt/deps.lock \
    --mount=type=bind,source=tools,target=/mnt/tools \
    sh /mnt/tools/install-deps.sh /mnt/deps.lock
COPY . .
EXPOSE 8080
CMD ["sh", "/app/src/serve.sh"]
DOCKERFILE
printf '**/.git\ntestdata\n' > .dockerignore
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
answers() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/tide 2>/dev/null | grep -q '^dependencies: 8'; }
wait_until 15 answers
