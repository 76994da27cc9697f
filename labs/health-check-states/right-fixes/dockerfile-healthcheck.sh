# Right fix, another place: the health check goes into the api image (HEALTHCHECK in
# api/Dockerfile), so every container of that image has it, with or without Compose.
# compose.yaml only makes the board wait for a healthy api.
set -euo pipefail
sed -i 's|^USER app$|HEALTHCHECK --interval=3s --timeout=2s --retries=3 --start-period=20s --start-interval=1s \\\n  CMD wget -q -O /dev/null -T 2 http://localhost:8080/cgi-bin/health \|\| exit 1\nUSER app|' api/Dockerfile
grep -q '^HEALTHCHECK' api/Dockerfile
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
