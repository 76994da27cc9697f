# Right fix, another route for each service:
# - tally: drop the python command, with plain docker commands per service;
# - ledger: deliver the settings file as a Compose config (file: ./config/ledger/ledger.conf);
# - beacon: `RUN chmod 0755` in the Dockerfile (the hint's other variant).
set -euo pipefail
sed -i -e '/# Carried over from when tally ran on the python image./d' -e '/command: \["python3"/d' compose.yaml
sed -i -e '/^    volumes:$/d' -e 's|^      - ./ledger-config:/etc/ledger:ro$|    configs:\n      - source: ledger_conf\n        target: /etc/ledger/ledger.conf|' compose.yaml
printf '\nconfigs:\n  ledger_conf:\n    file: ./config/ledger/ledger.conf\n' >> compose.yaml
sed -i -e 's|^USER app$|RUN chmod 0755 /usr/local/bin/beacon-start\nUSER app|' beacon/Dockerfile
grep -q 'RUN chmod 0755 /usr/local/bin/beacon-start' beacon/Dockerfile
rmdir ledger-config
docker compose build 2>&1 | grep -v '^#' | tail -n 2
docker compose up -d 2>&1 | tail -n 3
up() { local s; for s in tally ledger beacon; do container_is_up "$(service_container quayside "$s")" || return 1; done; }
wait_until 10 up
