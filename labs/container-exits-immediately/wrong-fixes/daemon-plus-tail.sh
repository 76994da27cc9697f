# Wrong fix (the observable without the mechanism): replace tally's python command with
# one that starts httpd in the background and then waits forever. The status page
# answers, but the container is kept up by `tail`: if httpd dies, the container stays
# "Up" and nothing notices. (ledger and beacon are fixed properly.)
set -euo pipefail
sed -i -e '/# Carried over from when tally ran on the python image./d' \
  -e 's|^    command: \["python3".*|    command: ["sh", "-c", "httpd -p 8080 -h /srv/tally \&\& exec tail -f /dev/null"]|' compose.yaml
grep -q 'exec tail -f /dev/null' compose.yaml
sed -i -e 's|- ./ledger-config:/etc/ledger:ro|- ./config/ledger:/etc/ledger:ro|' compose.yaml
sed -i -e 's|^COPY beacon-start.sh /usr/local/bin/beacon-start$|COPY --chmod=0755 beacon-start.sh /usr/local/bin/beacon-start|' beacon/Dockerfile
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
sleep 1
