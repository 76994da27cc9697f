# Solve: give the token to the one build step that needs it as a BuildKit secret mount,
# declared in compose.yaml from the CI runner's token file; rebuild, recreate, and remove
# the leaky image that the rebuild left behind untagged.
set -euo pipefail

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

docker compose up -d --build 2>&1 | tail -n 3
docker image prune -f >/dev/null   # the old waybill:1.0, now untagged, still holds the token

cid=$(service_container waybill web)
prints() { docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-1' 2>/dev/null | grep -q 'manifest-tools 1.3'; }
wait_until 15 prints || { echo "solve: waybill did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
