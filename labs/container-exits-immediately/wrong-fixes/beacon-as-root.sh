# Wrong fix: fix tally and ledger properly, but treat beacon's "Permission denied" as a
# user problem and run it as root. Root may read the file, but nobody may execute a
# file without an execute bit, so beacon still exits with 126.
set -euo pipefail
sed -i -e '/# Carried over from when tally ran on the python image./d' -e '/command: \["python3"/d' compose.yaml
sed -i -e 's|- ./ledger-config:/etc/ledger:ro|- ./config/ledger:/etc/ledger:ro|' compose.yaml
sed -i -E '/^  beacon:$/,$ s/^(    init: true)$/\1\n    user: root/' compose.yaml
grep -q 'user: root' compose.yaml
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
sleep 1
