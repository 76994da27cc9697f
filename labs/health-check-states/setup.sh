# Setup: deploy pilotdesk 1.2 as it is: the api has no health check, and the board starts
# as soon as the api container has started, finds it still loading its roster, and exits.
set -euo pipefail
out=$(docker compose up -d --build 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
board=$(service_container pilotdesk board)
board_failed() { [ "$(container_state "$board")" = exited ]; }
wait_until 10 board_failed || { echo "setup: the board did not fail as expected" >&2; docker logs "$board" >&2; exit 1; }
