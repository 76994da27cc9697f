# Shared by this lab's checks (prepended by the platform after labs/_lib/*.sh).

# --- lab helper: dry_run_deploy with-v2|without-v2 ------------------------------------
# Runs the learner's ./deploy.sh without changing anything: a stand-in `docker` first on
# PATH passes commands that only read (version, inspect, compose version/config, ...)
# to the real docker, and records and skips the ones that would change something
# (build, compose up, rm, ...). A stand-in `docker-compose` records every call to v1.
# without-v2 also hides the Compose v2 plugin in a private mount namespace, so the real
# docker answers "docker: 'compose' is not a docker command." as on a server without it.
# Sets DRY_RC (exit code), DRY_OUT (its output) and DRY_CALLS (one line per call:
# "read docker ...", "change docker ..." or "v1 docker-compose ...").
dry_run_deploy() {
  local mode=$1 dir
  dir=$(mktemp -d /tmp/drydock-dryrun.XXXXXX)
  mkdir "$dir/bin" "$dir/plugins"
  : > "$dir/calls"
  cat > "$dir/bin/docker" <<'EOF'
#!/bin/bash
args=("$@") i=0
while [[ ${args[i]:-} == -* ]]; do
  case ${args[i]} in -H|--host|-c|--context|--config|-l|--log-level) i=$((i + 2)) ;; *) i=$((i + 1)) ;; esac
done
cmd=${args[i]:-} sub='' j=$((i + 1))
case $cmd in
  compose)
    while [[ ${args[j]:-} == -* ]]; do
      case ${args[j]} in
        -f|--file|-p|--project-name|--env-file|--profile|--project-directory|--ansi|--progress|--parallel) j=$((j + 2)) ;;
        *) j=$((j + 1)) ;;
      esac
    done
    sub=${args[j]:-} ;;
  image|container|network|volume|buildx|context|system|builder) sub=${args[j]:-} ;;
esac
case "$cmd $sub" in
  'version '*|'compose '|'info '*|'inspect '*|'images '*|'ps '*|'logs '*|'history '*|'port '*|'top '*|' '|\
  'compose version'|'compose config'|'compose ls'|'compose ps'|'compose images'|'compose logs'|'compose port'|'compose top'|\
  image\ inspect|image\ ls|image\ list|image\ history|container\ inspect|container\ ls|container\ list|container\ logs|\
  network\ inspect|network\ ls|volume\ inspect|volume\ ls|buildx\ version|buildx\ ls|context\ ls|context\ show|context\ inspect|system\ info|system\ df)
    printf 'read docker %s\n' "$*" >> "$DRY_RUN_CALLS"
    exec /usr/bin/docker "$@" ;;
esac
printf 'change docker %s\n' "$*" >> "$DRY_RUN_CALLS"
# Without the v2 plugin, compose commands must fail as they really would.
[ "$cmd" = compose ] && [ "$DRY_RUN_MODE" = without-v2 ] && exec /usr/bin/docker "$@"
exit 0
EOF
  cat > "$dir/bin/docker-compose" <<'EOF'
#!/bin/bash
printf 'v1 docker-compose %s\n' "$*" >> "$DRY_RUN_CALLS"
echo "docker-compose (Compose v1) was called; in this dry run it does nothing." >&2
exit 1
EOF
  chmod 0755 "$dir/bin/docker" "$dir/bin/docker-compose"
  DRY_OUT=$(DRY_RUN_CALLS="$dir/calls" DRY_RUN_MODE="$mode" unshare -m bash -c '
    dir=$1 mode=$2
    # a docker-compose called by its full path is recorded too (not the symlink
    # /usr/bin/docker-compose: mounting over it would cover the v2 plugin it points to)
    for v1 in /usr/local/bin/docker-compose /usr/bin/docker-compose; do
      if [ -f "$v1" ] && [ ! -L "$v1" ]; then mount --bind "$dir/bin/docker-compose" "$v1"; fi
    done
    if [ "$mode" = without-v2 ]; then
      plugins=/usr/libexec/docker/cli-plugins
      mount --bind "$plugins" "$dir/plugins"
      mount -t tmpfs -o size=64k tmpfs "$plugins"
      for p in "$dir"/plugins/*; do
        [ "${p##*/}" = docker-compose ] || ln -s "$p" "$plugins/${p##*/}"
      done
    fi
    PATH="$dir/bin:$PATH" exec timeout 15 bash ./deploy.sh </dev/null 2>&1
  ' dry-run "$dir" "$mode")
  DRY_RC=$?
  DRY_CALLS=$(cat "$dir/calls")
  rm -rf "$dir"
}
# ---------------------------------------------------------------------------------------

# last_lines [N]: the last N non-empty lines of the dry run's output, on one line.
last_lines() { printf '%s\n' "$DRY_OUT" | sed '/^[[:space:]]*$/d' | tail -n "${1:-2}" | tr '\n' ' '; }
