# Right fix, other values and route: the whole budget (256M) as the limit and a longer
# start_period without start_interval (probes every 5 s while it starts, so it reports
# healthy a few seconds later); started with plain `docker compose up -d`, not waiting.
set -euo pipefail
sed -i -E 's|^( *memory: *).*$|\1256M|' compose.yaml
sed -i -E '/^ *retries: *3$/a\      start_period: 30s' compose.yaml
grep -q 'start_period: 30s' compose.yaml
docker compose up -d 2>&1 | tail -n 1
