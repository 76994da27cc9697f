# Right fix, another route for each service:
# - tally: compose.yaml names the right command (the image's own httpd) instead of
#   dropping the override;
# - ledger: mount just the settings file from config/ledger/;
# - beacon: give the script its execute bit in the repository and rebuild (the
#   solution text says this works too).
set -euo pipefail
sed -i -e '/# Carried over from when tally ran on the python image./d' \
  -e 's|^    command: \["python3".*|    command: ["httpd", "-f", "-p", "8080", "-h", "/srv/tally"]|' compose.yaml
sed -i -e 's|- ./ledger-config:/etc/ledger:ro|- ./config/ledger/ledger.conf:/etc/ledger/ledger.conf:ro|' compose.yaml
grep -q 'ledger.conf:/etc/ledger/ledger.conf:ro' compose.yaml
rmdir ledger-config
chmod 0755 beacon/beacon-start.sh
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
up() { local s; for s in tally ledger beacon; do container_is_up "$(service_container quayside "$s")" || return 1; done; }
wait_until 10 up
