# Right fix, another probe: the health check asks for what the board needs, the roster
# itself (/cgi-bin/pilots answers 503 in maintenance mode too), in shell form with a
# grep for a duty slot, and with slower timings and no start_interval. The board waits
# for healthy, and the deploy uses `docker compose up --wait`.
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
      test: ["CMD-SHELL", "wget -qO- -T 3 http://127.0.0.1:8080/cgi-bin/pilots | grep -q 'Capt\\.'"]
      interval: 5s
      timeout: 4s
      retries: 3
      start_period: 10s

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
docker compose up -d --build --wait 2>&1 | grep -v '^#' | tail -n 4
