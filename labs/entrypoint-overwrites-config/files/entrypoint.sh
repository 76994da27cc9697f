#!/bin/sh
# ferrycast entrypoint: write the settings file from the template, then start the app.
set -eu

TEMPLATE=/opt/ferrycast/ferrycast.conf.tmpl
CONFIG=${FERRYCAST_CONFIG:-/var/lib/ferrycast/ferrycast.conf}

# This image has no envsubst: fill in the ${NAME} placeholders with sed.
sed -e "s|\${FERRYCAST_TERMINAL}|${FERRYCAST_TERMINAL:-Ferry terminal}|g" \
    -e "s|\${FERRYCAST_ROWS}|${FERRYCAST_ROWS:-6}|g" \
    "$TEMPLATE" > "$CONFIG"
echo "[entrypoint] wrote $CONFIG from $TEMPLATE"

exec "$@"
