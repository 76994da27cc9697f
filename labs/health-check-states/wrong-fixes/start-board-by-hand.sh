# Wrong fix: a correct health check, then the deploy done by hand in the right order:
# wait for the api to be healthy, then start the board. Today the board is up, but
# compose.yaml still starts it as soon as the api container has started, so the next
# `docker compose up` (or a reboot) races the api again.
set -euo pipefail
awk '{ print } /^      - "8080:8080"$/ && !done { print "    healthcheck:"; print "      test: [\"CMD\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"-T\", \"2\", \"http://127.0.0.1:8080/cgi-bin/health\"]"; print "      interval: 2s"; print "      start_period: 15s"; print "      start_interval: 1s"; done = 1 }' compose.yaml > compose.yaml.new
mv compose.yaml.new compose.yaml
grep -q 'cgi-bin/health' compose.yaml
docker compose up -d --build --wait api 2>&1 | grep -v '^#' | tail -n 2
docker compose up -d --no-deps --force-recreate board 2>&1 | tail -n 2
board=$(service_container pilotdesk board)
board_up() { container_is_up "$board" && docker logs "$board" 2>&1 | grep -q 'duty slots'; }
wait_until 20 board_up
