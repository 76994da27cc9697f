# Wrong fix: make the board wait a fixed 8 seconds before it asks the api. It works
# today, but a sleep is a guess: a slower start next week and the board fails again,
# and a fast start waits for nothing. The api also still has no health check.
set -euo pipefail
sed -i -e '/^    depends_on:$/i\    command: ["sh", "-c", "sleep 8; exec /usr/local/bin/board-start"]' compose.yaml
grep -q 'sleep 8' compose.yaml
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
board=$(service_container pilotdesk board)
board_up() { container_is_up "$board" && docker logs "$board" 2>&1 | grep -q 'duty slots'; }
wait_until 20 board_up
