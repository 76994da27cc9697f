# Wrong fix: do 2.0's migration by hand in the host's file (channel, configVersion 2) and
# keep the read-only single-file mount. tidewire starts, because it has nothing to save
# today; the next migration or `tidewire doctor --fix` fails with EBUSY all over again.
set -euo pipefail
sed -i -e 's/"alertChannel"/"channel"/' -e '1s/{/{\n  "configVersion": 2,/' tidewire/config.json
grep -q '"configVersion": 2' tidewire/config.json
docker compose up -d --force-recreate 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
