# Solve, one cause per service and task (solve_tasks in labs/_lib/setup.sh runs one
# part, or all in order); each part rebuilds and recreates its own service only:
# - tally (exit 127): drop the command left over from the python image, so the image's
#   own CMD (busybox httpd) runs;
# - ledger (exit 1): mount the folder the settings moved to in 3.0;
# - beacon (exit 126): make the start script executable in the image.
set -euo pipefail

# redeploy SERVICE: rebuild and recreate one service, and wait until it stays up.
redeploy() {
  docker compose up -d --build "$1" 2>&1 | grep -v '^#' | tail -n 3
  service_up() { container_is_up "$(service_container quayside "$1")"; }
  wait_until 10 service_up "$1" || { echo "solve: $1 did not come up" >&2; exit 1; }
}

solve_tally_stays_up() {
  # Whatever command tally's service carries, the image's own CMD is the right one.
  sed -i -e '/# Carried over from when tally ran on the python image./d' \
    -e '/^  tally:$/,/^  [a-z]/{/^    command:/d}' compose.yaml
  redeploy tally
}

solve_ledger_stays_up() {
  sed -i -e 's|^\( *- \)[^ ]*:/etc/ledger\(:ro\)\{0,1\}$|\1./config/ledger:/etc/ledger:ro|' compose.yaml
  grep -q './config/ledger:/etc/ledger:ro' compose.yaml
  rmdir ledger-config 2>/dev/null || true   # the empty folder Docker created for the old mount
  redeploy ledger
}

solve_beacon_stays_up() {
  # COPY keeps the file's mode from the build context; --chmod makes it explicit.
  chmod 0755 beacon/beacon-start.sh
  sed -i -e 's|^COPY beacon-start.sh /usr/local/bin/beacon-start$|COPY --chmod=0755 beacon-start.sh /usr/local/bin/beacon-start|' beacon/Dockerfile
  redeploy beacon
}

solve_tasks tally-stays-up ledger-stays-up beacon-stays-up -- "$@"
