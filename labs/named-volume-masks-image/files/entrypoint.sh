#!/bin/sh
# harborlog entrypoint: render the settings from the template, then serve.
set -eu

STATE_DIR=/home/app/harborlog
TEMPLATE=/home/app/harborlog/harborlog.conf.tmpl
CONFIG=$STATE_DIR/harborlog.conf

if [ ! -f "$TEMPLATE" ]; then
  echo "[entrypoint] template not found at $TEMPLATE" >&2
  exit 1
fi

# This image has no envsubst: fill in the ${NAME} placeholders with sed.
sed -e "s|\${HARBOR_NAME}|${HARBOR_NAME:-Unnamed harbour}|g" \
    -e "s|\${BERTHS}|${BERTHS:-8}|g" \
    -e "s|\${TIDE_TABLE}|${TIDE_TABLE:-none}|g" \
    "$TEMPLATE" > "$CONFIG"
echo "[entrypoint] rendered $CONFIG from $TEMPLATE"

touch "$STATE_DIR/logbook.txt"
echo "[entrypoint] harborlog $HARBORLOG_VERSION listening on port 8080"
exec httpd -f -p 8080 -h /srv/www
