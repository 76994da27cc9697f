# Solve: keep a memory limit, but above the start-up peak (about 161 MiB) with headroom and
# within the 256 MiB budget; give the health check a start_period that covers the ~6 s
# start-up (and probe every second during it, every 10 s after); redeploy and wait until healthy.
set -euo pipefail

sed -i -E 's|^( *memory: *).*$|\1224M|' compose.yaml
grep -q 'memory: 224M' compose.yaml
sed -i -E '/^ *retries: *3$/a\      start_period: 20s\n      start_interval: 1s' compose.yaml
grep -q 'start_period: 20s' compose.yaml
# Probe often while it starts (start_interval), rarely once it runs: a probe every second
# all day costs a few percent of a core.
sed -i -E 's|^( *interval: *)1s$|\110s|' compose.yaml
grep -q 'interval: 10s' compose.yaml

DEPLOY_WAIT=40 sh deploy.sh 2>&1 | tail -n 3
