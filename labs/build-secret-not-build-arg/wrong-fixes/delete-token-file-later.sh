# Wrong fix: keep the token out of build arguments by copying it into the build as a file,
# and delete that file in a later step. The history looks clean, but the layer made by
# COPY still contains the file: anyone who pulls the image can extract it.
set -euo pipefail
cp /root/.config/kestrel/pkg-token .pkg-token
sed -i -e 's|^ARG PKG_TOKEN$|COPY .pkg-token /tmp/pkg-token|' \
       -e 's|http://ci:${PKG_TOKEN}@|http://ci:$(cat /tmp/pkg-token)@|' Dockerfile
sed -i 's|^RUN chmod 0755 /srv/www/cgi-bin/\*$|&\nRUN rm -f /tmp/pkg-token|' Dockerfile
grep -q '^RUN rm -f /tmp/pkg-token$' Dockerfile
sed -i -e '/^      args:$/,/^        PKG_TOKEN:/d' compose.yaml
docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
