# Wrong fix: flatten the image (docker export | docker import) to drop its history.
# The history and the old layers are gone, but the build still takes the token as a
# build argument, so the next build records it again.
set -euo pipefail
cid=$(service_container waybill web)
docker export "$cid" | docker import \
  --change 'USER app' --change 'EXPOSE 8080' --change 'ENV PATH=/bin' \
  --change 'CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]' - waybill:1.0 >/dev/null
PKG_TOKEN=$(cat /root/.config/kestrel/pkg-token) docker compose up -d 2>&1 | tail -n 2
docker image prune -f >/dev/null
