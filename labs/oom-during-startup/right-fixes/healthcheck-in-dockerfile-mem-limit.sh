# Right fix, other places: the health check moves into the image (a HEALTHCHECK with
# --start-period in the Dockerfile; compose.yaml's is removed), and the limit is set with
# the service-level mem_limit key instead of deploy.resources.
set -euo pipefail
cat >> Dockerfile <<'DOCKERFILE'

# The start-up loads the tide model for about 6 s: probes during it don't count.
HEALTHCHECK --interval=2s --timeout=2s --retries=3 --start-period=15s --start-interval=1s \
  CMD wget -q -O /dev/null -T 2 http://127.0.0.1:8080/cgi-bin/health || exit 1
DOCKERFILE
# Drop compose.yaml's healthcheck block and its deploy block; set mem_limit instead.
sed -i -e '/^    healthcheck:$/,/^      retries:/d' -e '/^    deploy:$/,$d' compose.yaml
printf '    mem_limit: 200m   # start-up peak about 161 MiB, plus headroom; budget 256 MiB\n' >> compose.yaml
docker compose config -q
DEPLOY_WAIT=40 sh deploy.sh 2>&1 | tail -n 1
