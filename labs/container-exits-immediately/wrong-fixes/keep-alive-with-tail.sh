# Wrong fix: keep each container alive with a command that waits forever. The containers
# show "Up", but none of the three services is running inside them.
set -euo pipefail
sed -i -e '/command: \["python3"/d' compose.yaml
sed -i -E 's/^(    init: true)$/\1\n    entrypoint: ["tail", "-f", "\/dev\/null"]\n    command: []/' compose.yaml
[ "$(grep -c 'tail' compose.yaml)" -eq 3 ]
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
sleep 1
