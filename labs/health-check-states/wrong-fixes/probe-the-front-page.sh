# Wrong fix: a health check that asks for the front page, and the board waiting for it.
# Everything turns green, but the front page answers 200 even in maintenance mode, so
# Docker never learns that pilotdesk can't serve.
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
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 2s
      retries: 2
      start_period: 15s
      start_interval: 1s

  board:
    build: board
    image: pilotdesk-board:1.2
    init: true
    environment:
      API_URL: http://api:8080
    ports:
      - "8081:8080"
    depends_on:
      api:
        condition: service_healthy
YAML
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
