# named-volume-masks-image: helpers the checks, prepare and setup share.

# next_release_settings CID: the next release, tried on copies. Builds the repository as
# `docker compose build` does (compose.yaml's build context, dockerfile, target and args
# for the web service) with one more line in every settings template, starts that image
# with the web service's environment and a copy of each of the web container's volumes and
# bind mounts, and sets $next_settings to the settings it reports (/cgi-bin/status), and
# $next_marker to the line they must now contain. Fails (status 1) with the reason in
# $next_error if it can't build or doesn't answer. The learner's images, volumes and
# containers are not touched; everything made here is removed on exit.
next_release_settings() {
  local cid=$1 config context dockerfile target out type name src dst copy entry
  local -a args=() run=() cmd=() entry_words=()
  next_settings='' next_error=''
  next_marker="release_check = $(seed_hex next-release 8)"
  next_tag="drydock-check/harborlog:next-$$"
  next_copies=() next_probe='' next_work=$(mktemp -d /tmp/harborlog-next.XXXXXX)
  trap 'docker rm -f -v $next_probe >/dev/null 2>&1; [ ${#next_copies[@]} -eq 0 ] || docker volume rm -f "${next_copies[@]}" >/dev/null 2>&1; docker rmi "$next_tag" >/dev/null 2>&1; rm -rf "$next_work"' EXIT

  config=$(docker compose config --format json 2>/dev/null) || config='{}'
  context=$(jq -r '.services.web.build.context // empty' <<< "$config")
  dockerfile=$(jq -r '.services.web.build.dockerfile // empty' <<< "$config")
  target=$(jq -r '.services.web.build.target // empty' <<< "$config")
  while IFS= read -r entry; do [ -n "$entry" ] && args+=(--build-arg "$entry"); done \
    < <(jq -r '.services.web.build.args // {} | to_entries[] | "\(.key)=\(.value)"' <<< "$config")
  [ -n "$context" ] || context=$PWD
  [ -n "$dockerfile" ] || dockerfile=Dockerfile
  case "$dockerfile" in /*) ;; *) dockerfile="$context/$dockerfile" ;; esac
  cp -a "$context/." "$next_work/"
  case "$dockerfile" in "$context"/*) dockerfile="$next_work/${dockerfile#"$context"/}" ;; esac
  # The next release changes the template: one more line in every template of the repository.
  grep -rlE '^[[:space:]]*berths[[:space:]]*=.*[$][{]BERTHS[}]' "$next_work" 2>/dev/null \
    | while IFS= read -r file; do printf '%s\n' "$next_marker" >> "$file"; done
  # A label of this run's own makes the image's ID unique: checks running at once would
  # otherwise build the same ID, and one's `docker rmi` of its tag could delete the image
  # while another is tagging it (seen in CI as "No such image" right after a build).
  if ! out=$(docker build -q --label drydock.probe=1 --label "drydock.check.run=$$-$RANDOM$RANDOM" -t "$next_tag" -f "$dockerfile" \
        ${target:+--target "$target"} "${args[@]}" "$next_work" 2>&1); then
    next_error="building the repository fails: $(grep -v '^[[:space:]]*$' <<< "$out" | tail -n 1)"; return 1
  fi

  # The web service's environment, entrypoint, command and user, as Compose would start it.
  while IFS= read -r entry; do run+=(-e "$entry"); done \
    < <(jq -r '.services.web.environment // {} | to_entries[] | "\(.key)=\(.value // "")"' <<< "$config")
  entry=$(jq -r '.services.web.user // empty' <<< "$config"); [ -z "$entry" ] || run+=(-u "$entry")
  # Copies of the web container's volumes and bind mounts, at the same paths (one helper
  # container copies them all; docker cp can't read a container with read-only binds in
  # this engine). A bind-mounted file is mounted read-only, from the copy of the
  # repository if it comes from there.
  local -a from=()
  local i=0 copy_cmd=''
  while IFS='|' read -r type name src dst; do
    [ -n "$dst" ] && [ "$dst" != / ] || continue
    case "$type" in volume) ;; bind) ;; *) continue ;; esac
    if [ "$type" = bind ] && [ -f "$src" ]; then
      case "$src" in "$context"/*) src="$next_work/${src#"$context"/}" ;; esac
      run+=(-v "$src:$dst:ro"); continue
    fi
    copy="drydock-check-harborlog-$$-${#next_copies[@]}"
    docker volume create --label drydock.probe=1 "$copy" >/dev/null || { next_error="could not create a volume"; return 1; }
    next_copies+=("$copy"); run+=(-v "$copy:$dst")
    [ "$type" = volume ] && src=$name
    from+=(-v "$src:/from/$i:ro" -v "$copy:/to/$i")
    copy_cmd="$copy_cmd cp -a /from/$i/. /to/$i/ &&"
    i=$((i + 1))
  done < <(docker inspect -f '{{range .Mounts}}{{.Type}}|{{.Name}}|{{.Source}}|{{.Destination}}{{"\n"}}{{end}}' "$cid")
  if [ "$i" -gt 0 ]; then
    out=$(docker run --rm --network none -u 0 "${from[@]}" drydock/lab-base:latest sh -c "$copy_cmd true" 2>&1) \
      || { next_error="could not copy the web container's volumes: $(tail -n 1 <<< "$out")"; return 1; }
  fi
  mapfile -t cmd < <(jq -r '.services.web.command // [] | .[]' <<< "$config")
  entry=$(jq -r '.services.web.entrypoint // [] | .[]' <<< "$config")
  if [ -n "$entry" ]; then
    mapfile -t entry_words <<< "$entry"
    run+=(--entrypoint "${entry_words[0]}")
    cmd=("${entry_words[@]:1}" "${cmd[@]}")
  fi
  next_probe=$(docker run -d --init --network none --label drydock.probe=1 "${run[@]}" "$next_tag" "${cmd[@]}" 2>&1) \
    || { next_error="the rebuilt image does not start: $next_probe"; next_probe=''; return 1; }
  for _ in $(seq 1 25); do
    if out=$(docker exec "$next_probe" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); then
      next_settings=$out; return 0
    fi
    [ "$(container_state "$next_probe")" = running ] || break
    sleep 0.3
  done
  next_error="the rebuilt image did not answer on port 8080 ($(describe_state "$next_probe"); last log line: $(last_log_line "$next_probe"))"
  return 1
}

# harborlog_1_0 DIR: writes harborlog 1.0 into DIR: its Dockerfile, entrypoint and site,
# and the workdir's compose.yaml at version 1.0. Prepare builds it once for every
# learner; setup builds it again (every step cached) and runs it.
harborlog_1_0() {
local old=$1
cp -r www "$old/www"

cat > "$old/Dockerfile" <<'EOF'
# harborlog: the Port Ellery harbour logbook, served by busybox httpd.
FROM drydock/lab-base:latest

ENV HARBORLOG_VERSION=1.0
COPY www/ /srv/www/
COPY entrypoint.sh /usr/local/bin/harborlog-entrypoint

RUN chmod 0755 /usr/local/bin/harborlog-entrypoint /srv/www/cgi-bin/* \
 && mkdir -p /home/app/harborlog \
 && chown app:app /home/app/harborlog

USER app
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/harborlog-entrypoint"]
EOF

cat > "$old/entrypoint.sh" <<'EOF'
#!/bin/sh
# harborlog entrypoint: write default settings on first start, then serve.
set -eu

STATE_DIR=/home/app/harborlog
CONFIG=$STATE_DIR/harborlog.conf

if [ ! -f "$CONFIG" ]; then
  printf '# harborlog default settings, written on first start\nharbor_name = %s\n' \
    "${HARBOR_NAME:-Unnamed harbour}" > "$CONFIG"
  echo "[entrypoint] wrote default settings to $CONFIG"
fi

touch "$STATE_DIR/logbook.txt"
echo "[entrypoint] harborlog $HARBORLOG_VERSION listening on port 8080"
exec httpd -f -p 8080 -h /srv/www
EOF

# Same deployment as the workdir's compose.yaml, at version 1.0.
sed -e 's|image: harborlog:1.1|image: harborlog:1.0|' compose.yaml > "$old/compose.yaml"
grep -q 'image: harborlog:1.0' "$old/compose.yaml"
}
