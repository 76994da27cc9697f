# Right fix, another layout: a multi-stage build. A `deps` stage installs from deps.lock
# and the script alone; the final stage copies the installed vendor folder from it and
# then the source. A code change leaves the deps stage untouched. The .dockerignore
# also leaves out the tests (not needed to run the service).
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
# tidewise: tide predictions for the harbours of the Ellery coast, served by busybox httpd.
FROM drydock/lab-base:latest AS deps
WORKDIR /build
COPY deps.lock tools/install-deps.sh ./
RUN sh install-deps.sh deps.lock

FROM drydock/lab-base:latest
COPY --from=deps /opt/tidewise/vendor /opt/tidewise/vendor
WORKDIR /app
COPY . .
EXPOSE 8080
CMD ["sh", "/app/src/serve.sh"]
DOCKERFILE
printf '# only what the image needs\n.git/\ntestdata/\ntests/\n.dockerignore\nDockerfile\n' > .dockerignore
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
answers() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/tide 2>/dev/null | grep -q '^dependencies: 8'; }
wait_until 15 answers
