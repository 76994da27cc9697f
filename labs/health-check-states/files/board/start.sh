#!/bin/sh
# pilotdesk-board: fetch the duty roster from the API once, then show it.
set -eu
echo "[board] fetching the roster from ${API_URL}"
if ! roster=$(wget -qO- -T 3 "$API_URL/cgi-bin/pilots" 2>&1); then
  echo "[board] can't get the roster from the API: $roster" >&2
  exit 1
fi
{ echo "PILOTS ON DUTY - PORT ELLERY"; echo "$roster"; } > /srv/board/index.html
echo "[board] showing $(echo "$roster" | grep -c .) duty slots on port 8080"
exec httpd -f -p 8080 -h /srv/board
