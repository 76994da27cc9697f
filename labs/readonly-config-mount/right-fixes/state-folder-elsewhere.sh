# Right fix: a different writable path for tidewire's state. The host folder is mounted
# writable at /srv/tidewire, and TIDEWIRE_HOME points tidewire there (the README's
# setting), in the long volume syntax; tidewire migrates the office's file in place.
set -euo pipefail
{
  sed '/^    volumes:$/,$d' compose.yaml
  cat <<'YAML'
    environment:
      TIDEWIRE_HOME: /srv/tidewire
    volumes:
      - type: bind
        source: ./tidewire
        target: /srv/tidewire
YAML
} > compose.new && mv compose.new compose.yaml
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
grep -q '"configVersion": 2' tidewire/config.json
