# Setup: install the tide gauge's data service on the sandbox itself (the "host"), outside
# Docker, listening on 127.0.0.1:9400 as its vendor ships it. Then start berthboard, whose
# compose.yaml points it at http://localhost:9400: inside the container that is the
# container's own loopback, so the tide never arrives.
set -euo pipefail

# --- the host service: tidegauge, managed with tidegaugectl ---------------------------
mkdir -p /etc/tidegauge /srv/tidegauge
cat > /etc/tidegauge/tidegauge.conf <<'CONF'
# tidegauge: serves the harbour tide gauge's readings over HTTP (GET /level).
# Installed on this host by the gauge's vendor, outside Docker.
# After changing this file, run: tidegaugectl restart

# The IPv4 address to listen on. 127.0.0.1 means "this host only".
LISTEN=127.0.0.1
PORT=9400
CONF

printf '3.42 m above chart datum, rising (gauge PE-%s, reading at %s)\n' "$(seed_hex gauge 6)" "$(date -u +%H:%M:%S.%3N)" > /srv/tidegauge/level

cat > /usr/local/sbin/tidegaugectl <<'CTL'
#!/bin/sh
# tidegaugectl start|stop|restart|status: manage the tidegauge service on this host.
# Settings: /etc/tidegauge/tidegauge.conf. Log: /var/log/tidegauge.log.
CONF=/etc/tidegauge/tidegauge.conf
PIDFILE=/run/tidegauge.pid
LOG=/var/log/tidegauge.log
. "$CONF"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
listening() { ss -Hltn "sport = :$PORT" | awk '{print $4}' | tr '\n' ' '; }

start() {
  if running; then echo "tidegauge is already running (pid $(cat "$PIDFILE"))"; return 0; fi
  setsid busybox httpd -f -p "$LISTEN:$PORT" -h /srv/tidegauge </dev/null >>"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  sleep 0.3
  if running; then
    echo "tidegauge started: listening on $LISTEN:$PORT"
  else
    rm -f "$PIDFILE"
    echo "tidegauge failed to start on $LISTEN:$PORT: $(tail -n 1 "$LOG")" >&2
    return 1
  fi
}
stop() {
  if running; then kill "$(cat "$PIDFILE")"; sleep 0.2; echo "tidegauge stopped"; fi
  rm -f "$PIDFILE"
}
case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status)
    if running; then echo "tidegauge is running (pid $(cat "$PIDFILE")), listening on: $(listening)"
    else echo "tidegauge is not running"; exit 3; fi ;;
  *) echo "usage: tidegaugectl start|stop|restart|status" >&2; exit 2 ;;
esac
CTL
chmod 0755 /usr/local/sbin/tidegaugectl
quietly /usr/local/sbin/tidegaugectl restart
curl -fsS -m 2 http://127.0.0.1:9400/level >/dev/null || { echo "setup: tidegauge does not answer" >&2; exit 1; }

# --- berthboard ----------------------------------------------------------------------
quietly docker compose up -d --build
cid=$(service_container berthboard board)
refused() { grep -q "can't read the tide gauge" <<< "$(docker logs "$cid" 2>&1)"; }
wait_until 15 refused || { echo "setup: berthboard did not fail to read the gauge as expected" >&2; docker logs "$cid" >&2; exit 1; }
