# Wrong fix: make sure memory is never the problem again: a limit of 4 GiB (and a
# start_period). tidewatch starts, but a limit 16 times its budget protects the shared host
# from nothing: a leak can take 4 GiB before the kernel steps in.
set -euo pipefail
sed -i -E 's|^( *memory: *).*$|\14G|' compose.yaml
grep -q 'memory: 4G' compose.yaml
sed -i -E '/^ *retries: *3$/a\      start_period: 20s\n      start_interval: 1s' compose.yaml
DEPLOY_WAIT=40 sh deploy.sh 2>&1 | tail -n 1
