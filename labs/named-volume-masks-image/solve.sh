# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - template-outside-mounts: ship the template outside the volume's mount path, point the
#   entrypoint at it, rebuild and recreate;
# - service-runs-new-config: make sure the service runs the rebuilt image and has
#   rendered 1.1's settings (after the first part, it already does);
# - logbook-kept: nothing of its own. The data volume, and the logbook in it, were never
#   touched: the check passes as soon as the service runs again.
set -euo pipefail

redeploy() {
  local cid
  docker compose up -d --build 2>&1 | tail -n 3
  cid=$(service_container harborlog web)
  serves_new_settings() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null | grep -q '^berths = '; }
  wait_until 15 serves_new_settings || { echo "solve: harborlog did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
}

solve_template_outside_mounts() {
  sed -i -E 's|^COPY +harborlog\.conf\.tmpl +.*$|COPY harborlog.conf.tmpl /opt/harborlog/harborlog.conf.tmpl|' Dockerfile
  sed -i -E 's|^TEMPLATE=.*$|TEMPLATE=/opt/harborlog/harborlog.conf.tmpl|' entrypoint.sh
  grep -q '^COPY harborlog.conf.tmpl /opt/harborlog/' Dockerfile
  grep -q '^TEMPLATE=/opt/harborlog/' entrypoint.sh
  redeploy
}

solve_service_runs_new_config() { redeploy; }

solve_logbook_kept() { :; }

solve_tasks template-outside-mounts service-runs-new-config logbook-kept -- "$@"
