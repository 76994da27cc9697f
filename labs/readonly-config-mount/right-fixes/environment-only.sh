# Right fix (the solution's "other good fix", as the lesson writes it): no config file at
# all. Every setting goes into `environment:` as a TIDEWIRE_* variable (values taken from
# the office's file), the webhook with its secret token through `.env` rather than in
# compose.yaml itself; the mount goes. tidewire runs from the environment and has nothing
# to migrate or save.
set -euo pipefail
get() { sed -n "s/^[[:space:]]*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" tidewire/config.json; }
printf 'TIDEWIRE_WEBHOOK_URL=%s\n' "$(get webhookUrl)" > .env
chmod 600 .env
{
  sed '/^    volumes:$/,$d' compose.yaml
  cat <<YAML
    environment:
      TIDEWIRE_HARBOUR: "$(get harbour)"
      TIDEWIRE_CHANNEL: "$(get alertChannel)"
      TIDEWIRE_WEBHOOK_URL: \${TIDEWIRE_WEBHOOK_URL}
      TIDEWIRE_QUIET_HOURS: "$(get quietHours)"
      TIDEWIRE_ALERTS: "$(get alerts)"
YAML
} > compose.new && mv compose.new compose.yaml
if grep -q 'config.json' compose.yaml; then echo 'the config file is still mounted' >&2; exit 1; fi
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
