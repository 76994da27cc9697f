# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - deps-layer-cached: install the dependencies from deps.lock and the install script
#   alone, before the source is copied;
# - context-slim: keep testdata/ and .git/ out of the build context (added to the
#   learner's .dockerignore, if they have one);
# - service-runs-slim-image: rebuild and recreate.
set -euo pipefail

solve_deps_layer_cached() {
  cat > Dockerfile <<'DOCKERFILE'
# tidewise: tide predictions for the harbours of the Ellery coast, served by busybox httpd.
FROM drydock/lab-base:latest

WORKDIR /app

# Dependencies first: this layer is rebuilt only when deps.lock or the script changes.
COPY deps.lock ./
COPY tools/install-deps.sh ./tools/
RUN sh tools/install-deps.sh deps.lock

# The source changes all the time: copy it last.
COPY . .

EXPOSE 8080
CMD ["sh", "/app/src/serve.sh"]
DOCKERFILE
}

solve_context_slim() {
  [ -f .dockerignore ] || printf '# Not needed to build or run the image\n' > .dockerignore
  local path
  for path in .git testdata; do
    grep -qxE "/?$path/?" .dockerignore || echo "$path" >> .dockerignore
  done
}

solve_service_runs_slim_image() {
  local cid
  docker compose up -d --build 2>&1 | tail -n 3
  cid=$(service_container tidewise web)
  answers() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/tide 2>/dev/null | grep -q '^dependencies: 8'; }
  wait_until 15 answers || { echo "solve: tidewise did not come up" >&2; exit 1; }
}

solve_tasks deps-layer-cached context-slim service-runs-slim-image -- "$@"
