#!/bin/sh
# ledger start-up: read the settings, write the status page, serve.
set -eu
CONFIG=/etc/ledger/ledger.conf

if [ ! -r "$CONFIG" ]; then
  echo "[ledger] $(dirname "$CONFIG") holds: $(ls -A "$(dirname "$CONFIG")" 2>/dev/null | tr '\n' ' ' | grep . || echo nothing)" >&2
  echo "[ledger] can't read $CONFIG: no such file, or not readable" >&2
  exit 1
fi
harbour=$(sed -n 's/^harbour *= *//p' "$CONFIG")
ledger_id=$(sed -n 's/^ledger_id *= *//p' "$CONFIG")
[ -n "$harbour" ] && [ -n "$ledger_id" ] || { echo "[ledger] $CONFIG lacks harbour or ledger_id" >&2; exit 1; }

printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "ledger ok: dues ledger %s for %s"\n' "$ledger_id" "$harbour" \
  > /srv/ledger/cgi-bin/status
chmod 0755 /srv/ledger/cgi-bin/status
echo "[ledger] ledger $ledger_id for $harbour, listening on port 8080"
exec httpd -f -p 8080 -h /srv/ledger
