# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - build-uses-secret: give the token to the one build step that needs it as a BuildKit
#   secret mount, declared in compose.yaml from the CI runner's token file;
# - image-has-no-token: rebuild and recreate, however the learner chose to hand over
#   the secret (Compose's build.secrets, or `docker build --secret`);
# - no-leaky-images-left: remove the leaky image that the rebuild left behind untagged.
set -euo pipefail
export PKG_TOKEN="$TOKEN"   # the CI runner's environment (a secret may come from it)

solve_build_uses_secret() {
  cat > Dockerfile <<'DOCKERFILE'
# waybill: prints Kestrel Cargo's waybills, served by busybox httpd.
FROM drydock/lab-base:latest

# manifest-tools is our private toolkit. Kestrel's package server hands it out only to
# the CI account. The token comes in as a build secret: mounted at /run/secrets/pkg_token
# for this one step, and never recorded in the image or its history.
RUN --mount=type=secret,id=pkg_token,required=true \
    wget -qO /tmp/manifest-tools.tar.gz \
      "http://ci:$(cat /run/secrets/pkg_token)@pkgs.kestrel.internal:8081/private/manifest-tools-1.3.tar.gz" \
 && mkdir -p /opt \
 && tar -xzf /tmp/manifest-tools.tar.gz -C /opt \
 && rm -f /tmp/manifest-tools.tar.gz

COPY www/ /srv/www/
RUN chmod 0755 /srv/www/cgi-bin/*

USER app
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]
DOCKERFILE

  cat > compose.yaml <<'COMPOSE'
name: waybill

services:
  web:
    build:
      context: .
      secrets:
        - pkg_token   # mounted for RUN --mount=type=secret,id=pkg_token only
      extra_hosts:
        - "pkgs.kestrel.internal:host-gateway"   # Kestrel's package server
    image: waybill:1.0
    restart: unless-stopped
    init: true   # a tiny init as PID 1 passes `docker stop` on to httpd
    ports:
      - "8080:8080"

secrets:
  pkg_token:
    file: /root/.config/kestrel/pkg-token   # the CI runner's token, outside the build context
COMPOSE

}

solve_image_has_no_token() {
  local cfg image cid
  cfg=$(docker compose config --format json)
  image=$(jq -r '.services.web.image // "waybill:1.0"' <<< "$cfg")
  if jq -e '.services.web.build.secrets // [] | length > 0' <<< "$cfg" >/dev/null; then
    docker compose up -d --build 2>&1 | tail -n 3
  else
    # The other route: compose.yaml only starts the image, built with `docker build --secret`.
    docker build -q --secret id=pkg_token,src=/root/.config/kestrel/pkg-token \
      --add-host pkgs.kestrel.internal:host-gateway -t "$image" . >/dev/null
    docker compose up -d 2>&1 | tail -n 3
  fi
  cid=$(service_container waybill web)
  prints() { docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-1' 2>/dev/null | grep -q 'manifest-tools 1.3'; }
  wait_until 15 prints || { echo "solve: waybill did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
}

solve_no_leaky_images_left() {
  # The old waybill:1.0, untagged by the rebuild, still holds the token; tagged images
  # (the rollback release waybill:0.9, the base image) are not dangling and stay.
  docker image prune -f >/dev/null
}

solve_tasks build-uses-secret image-has-no-token no-leaky-images-left -- "$@"
