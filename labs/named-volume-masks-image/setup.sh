# Setup: deploy harborlog 1.0 (it creates the data volume and the logbook gets a few
# entries), then do the botched upgrade to 1.1 that the learner walks into.
set -euo pipefail

# --- harborlog 1.0, built from a scratch folder that is removed afterwards ----------
old=$(mktemp -d /tmp/harborlog-1.0.XXXXXX)
trap 'rm -rf "$old"' EXIT
harborlog_1_0 "$old"

quietly docker compose -f "$old/compose.yaml" up -d --build
cid=$(service_container harborlog web)
app_answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 20 app_answers || { echo "setup: harborlog 1.0 did not start" >&2; docker logs "$cid" >&2; exit 1; }

# A few weeks of logbook entries; the pilot references are unique to this session.
{
  echo "2026-03-02 05:40 | berth 3 | MV Kittiwake        | arrived  | pilot ref PX-$(seed_hex logbook-1)"
  echo "2026-03-02 07:15 | berth 7 | Ellery Dawn (ferry) | departed | pilot ref PX-$(seed_hex logbook-2)"
  echo "2026-03-03 22:05 | berth 1 | MT Sable Hollow     | arrived  | pilot ref PX-$(seed_hex logbook-3)"
  echo "2026-03-04 11:30 | berth 3 | MV Kittiwake        | departed | pilot ref PX-$(seed_hex logbook-4)"
} | docker exec -i "$cid" sh -c '
  while IFS= read -r line; do
    wget -qO /dev/null -T 2 --post-data "$line" http://127.0.0.1:8080/cgi-bin/logbook || exit 1
  done'
[ "$(docker exec "$cid" wget -qO- http://127.0.0.1:8080/cgi-bin/logbook | grep -c 'pilot ref PX-')" -eq 4 ] \
  || { echo "setup: the logbook entries were not recorded" >&2; exit 1; }

# --- the upgrade to 1.1, exactly as the colleague ran it ------------------------------
quietly docker compose up -d --build
cid=$(service_container harborlog web)
crashed() { [ "$(container_state "$cid")" != running ] || [ "$(docker inspect -f '{{.RestartCount}}' "$cid")" -gt 0 ]; }
wait_until 15 crashed || { echo "setup: harborlog 1.1 did not fail as expected" >&2; exit 1; }
