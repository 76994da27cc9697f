# Solve, one cause each:
# - tally (exit 127): drop the command left over from the python image, so the image's
#   own CMD (busybox httpd) runs;
# - ledger (exit 1): mount the folder the settings moved to in 3.0;
# - beacon (exit 126): make the start script executable in the image.
set -euo pipefail
sed -i -e '/# Carried over from when tally ran on the python image./d' -e '/command: \["python3"/d' compose.yaml
sed -i -e 's|- ./ledger-config:/etc/ledger:ro|- ./config/ledger:/etc/ledger:ro|' compose.yaml
grep -q './config/ledger:/etc/ledger:ro' compose.yaml
! grep -q python3 compose.yaml
sed -i -e 's|^COPY beacon-start.sh /usr/local/bin/beacon-start$|COPY --chmod=0755 beacon-start.sh /usr/local/bin/beacon-start|' beacon/Dockerfile
grep -q -- '--chmod=0755' beacon/Dockerfile
rmdir ledger-config 2>/dev/null || true   # the empty folder Docker created for the old mount

docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
up() { local s; for s in tally ledger beacon; do container_is_up "$(service_container quayside "$s")" || return 1; done; }
wait_until 10 up
