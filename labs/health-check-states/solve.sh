# Solve: give the api a health check that asks its /cgi-bin/health endpoint (which
# answers 503 in maintenance mode), and make the board wait until the api is healthy. It
# probes every second while the api starts (start_interval), every 5 s after.
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
      # busybox wget exits non-zero on an HTTP error status such as 503
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "-T", "2", "http://127.0.0.1:8080/cgi-bin/health"]
      interval: 5s
      timeout: 3s
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
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 4
