# Solve: mount the host folder that holds config.json, writable, instead of the file on
# its own. tidewire can then write config.json.tmp next to config.json and rename it over
# it; the migrated config (with the office's settings) lands on the host.
# One fix serves all three tasks (tidewire-runs, operator-settings-kept, saves-persist),
# so each part applies it (solve_tasks in labs/_lib/setup.sh runs one part, or all in
# order); after the first, the others change nothing.
set -euo pipefail

mount_folder() {
  local cid
  # The single-file mount, read-only or not, becomes the folder's.
  sed -i 's|^\( *- \)[^ ]*:/home/app/\.tidewire/config\.json\(:r[ow]\)\{0,1\}$|\1./tidewire:/home/app/.tidewire|' compose.yaml
  grep -q '^ *- ./tidewire:/home/app/.tidewire$' compose.yaml \
    || { echo "solve: compose.yaml mounts no ./tidewire folder at /home/app/.tidewire, and has no config.json mount to replace" >&2; exit 1; }
  docker compose up -d 2>&1 | tail -n 2
  cid=$(service_container tidewire tidewire)
  answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
  wait_until 15 answers || { echo "solve: tidewire did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
  migrated() { grep -q '"configVersion": 2' tidewire/config.json; }
  wait_until 5 migrated
}

solve_tidewire_runs() { mount_folder; }
solve_operator_settings_kept() { mount_folder; }
solve_saves_persist() { mount_folder; }

solve_tasks tidewire-runs operator-settings-kept saves-persist -- "$@"
