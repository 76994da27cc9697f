#!/bin/sh
# pilotdesk-api start-up: load the duty roster, then serve.
set -eu
mkdir -p /tmp/pilotdesk
# MAINTENANCE=on starts the API in maintenance mode (see /cgi-bin/maintenance).
if [ "${MAINTENANCE:-off}" = on ]; then touch /tmp/pilotdesk/maintenance; fi

echo "[pilotdesk] loading the duty roster"
sleep "${ROSTER_LOAD_SECONDS:-4}"   # the roster comes from the port authority's slow export
echo "[pilotdesk] ready, listening on port 8080"
exec httpd -f -p 8080 -h /srv/api
