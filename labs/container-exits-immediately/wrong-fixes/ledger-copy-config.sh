# Wrong fix (breaks later): copy the settings into the folder the old mount expects,
# instead of mounting the folder they moved to. ledger starts, but it reads a copy: the
# next change to config/ledger/ledger.conf never reaches it. (tally and beacon are
# fixed properly.)
set -euo pipefail
sed -i -e '/# Carried over from when tally ran on the python image./d' -e '/command: \["python3"/d' compose.yaml
cp config/ledger/ledger.conf ledger-config/
sed -i -e 's|^COPY beacon-start.sh /usr/local/bin/beacon-start$|COPY --chmod=0755 beacon-start.sh /usr/local/bin/beacon-start|' beacon/Dockerfile
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
sleep 1
