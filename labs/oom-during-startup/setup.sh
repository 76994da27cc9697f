# Setup: deploy tidewatch 2.3 with the new 96 MiB memory limit, as the pipeline did, and
# wait until the kernel has OOM-killed it during start-up at least once.
set -euo pipefail

out=$(docker compose up -d --build 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
cid=$(service_container tidewatch web)
oom_looping() { [ "$(docker inspect -f '{{.RestartCount}}' "$cid")" -ge 1 ]; }
wait_until 15 oom_looping || { echo "setup: tidewatch did not crash as expected" >&2; docker logs "$cid" >&2; exit 1; }
