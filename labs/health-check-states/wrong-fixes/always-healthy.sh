# Wrong fix: a health check that cannot fail. The probe asks the right endpoint, but
# `|| true` turns every failure into success, so Docker reports healthy whatever the
# api does, and the board "waits" for a state that is always true.
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
      test: ["CMD-SHELL", "wget -q -O /dev/null -T 2 http://127.0.0.1:8080/cgi-bin/health || true"]
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
      api:
        condition: service_healthy
YAML
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
