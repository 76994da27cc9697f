# Wrong fix: a correct health check on the api, but the board "fixed" with a restart
# policy: it crashes until the api happens to be up. It gets there, after restarts, and
# it will crash again whenever it starts before the api is ready.
set -euo pipefail
cat > compose.yaml <<'YAML'
name: pilotdesk

services:
  api:
    build: api
    image: pilotdesk-api:1.2
    restart: unless-stopped
    init: true
    ports:
      - "8080:8080"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "-T", "2", "http://127.0.0.1:8080/cgi-bin/health"]
      interval: 2s
      retries: 2
      start_period: 15s
      start_interval: 1s

  board:
    build: board
    image: pilotdesk-board:1.2
    init: true
    restart: on-failure
    environment:
      API_URL: http://api:8080
    ports:
      - "8081:8080"
    depends_on:
      - api
YAML
docker compose up -d --build --force-recreate 2>&1 | grep -v '^#' | tail -n 3
board=$(service_container pilotdesk board)
board_up() { container_is_up "$board" && docker logs "$board" 2>&1 | grep -q 'duty slots'; }
wait_until 20 board_up
