# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - image-under-limit and no-toolchain: a build stage on the SDK compiles the pages; the
#   runtime stage starts again from the small base image and copies only the compiled
#   pages. Build quayboard:2.0 from it. The second part writes the same Dockerfile in
#   place of another under 10 MB that still carries SDK files, so after the first it
#   changes nothing;
# - board-is-live: deploy.
set -euo pipefail

slim_image() {
  cat > Dockerfile <<'DOCKERFILE'
# quayboard: the departure board on the kiosks of the Ellery ferry terminal.

# Build stage: the Skald SDK compiles the pages to HTML.
FROM skald/sdk:4.2 AS build
WORKDIR /src
COPY pages/ ./pages/
RUN skaldc build pages -o /out/www

# Runtime stage: busybox httpd and the compiled pages, nothing of the SDK.
FROM drydock/lab-base:latest
COPY --from=build /out/www/ /srv/www/
USER app
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]
DOCKERFILE
  docker compose build 2>&1 | grep -v '^#' | tail -n 2
}

solve_image_under_limit() { slim_image; }
solve_no_toolchain() { slim_image; }

solve_board_is_live() {
  local cid
  ./deploy.sh 2>&1 | tail -n 2
  cid=$(service_container quayboard board)
  answers() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/departures.html 2>/dev/null | grep -q '<tr>'; }
  wait_until 15 answers || { echo "solve: quayboard did not come up" >&2; exit 1; }
}

solve_tasks image-under-limit no-toolchain board-is-live -- "$@"
