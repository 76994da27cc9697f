# Task: after a change to the source alone, a rebuild reuses the dependency layer.
# A real experiment on a copy of the project, built the way Compose builds the web
# service (its context and Dockerfile, .dockerignore included): build, change
# src/serve.sh, build again, and watch what BuildKit did in the second build. The
# install step must be reported CACHED, install-deps.sh must not have run (its output
# would show in the build log), and both images must carry the same install id.
tmp=$(mktemp -d /tmp/cache-check.XXXXXX)
tag=cache-check-$$
cleanup() { docker rmi -f "$tag:before" "$tag:after" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' TERM INT   # a check stopped by its time limit still cleans up (via EXIT)

# Where Compose builds the web service from (compose.yaml's build: context and dockerfile).
build_json=$(docker compose --project-directory "$LAB_DIR" config --format json 2>/dev/null | jq -c '.services.web.build // empty')
[ -n "$build_json" ] || fail "compose.yaml no longer builds the web service (no build: under web), so a code change can't be rebuilt." \
  "Keep build: . for the web service."
context=$(jq -r '.context' <<< "$build_json")
dockerfile=$(jq -r '.dockerfile // "Dockerfile"' <<< "$build_json")
case "$context" in "$LAB_DIR"|"$LAB_DIR"/*) ;; *) fail "compose.yaml builds the web service from $context, outside the project folder $LAB_DIR." ;; esac
case "$dockerfile" in /*) dockerfile=${dockerfile#"$context"/} ;; esac
rel=${context#"$LAB_DIR"}; rel=${rel#/}

# The whole project, as it is (testdata/ and .git/ included: the build sees whatever
# .dockerignore lets through).
tar -C "$LAB_DIR" -cf - . | tar -C "$tmp" -xf - || fail "Could not copy the project for a test build."
ctx="$tmp${rel:+/$rel}"
[ -f "$ctx/$dockerfile" ] || fail "There is no $dockerfile in ${context}, the file compose.yaml builds the web service from."
[ -f "$tmp/src/serve.sh" ] || fail "src/serve.sh is missing from the project; the check changes it to simulate a code change."

out=''
build() { # build TAG: build the copy; on failure, say so with BuildKit's last error line
  if ! out=$(docker build --progress=plain -f "$ctx/$dockerfile" -t "$tag:$1" "$ctx" 2>&1); then
    fail "The project does not build: $(grep -E 'ERROR|error' <<< "$out" | tail -n 1)"
  fi
}
install_id() { # install_id TAG: the image's install id. Under load, docker run's attach can
  # lose a short output (seen in CI: an empty id, exit 0), so an empty answer is asked again.
  local id attempt
  for attempt in 1 2 3; do
    id=$(run_container --network none --entrypoint cat "$tag:$1" /opt/tidewise/vendor/.install-id 2>/dev/null) || return 1
    [ -z "$id" ] || { printf '%s\n' "$id"; return 0; }
    sleep "$attempt"
  done
  return 1
}

build before
before=$(install_id before) || fail "The image built from $dockerfile has no dependencies in /opt/tidewise/vendor." \
  "The RUN sh tools/install-deps.sh deps.lock step must stay in the build."

# A code change: a new file in place of src/serve.sh (never an edit through a link).
{ cat "$tmp/src/serve.sh"; printf '# code change %s\n' "$(date +%s%N)"; } > "$tmp/serve.sh.new" && mv "$tmp/serve.sh.new" "$tmp/src/serve.sh"
build after
after=$(install_id after) || fail "After a change to src/serve.sh, the image has no dependencies in /opt/tidewise/vendor." \
  "Expected: the install step (RUN sh tools/install-deps.sh deps.lock) still in the build, before the source is copied."

# What BuildKit did in the second build: each step is "#N [k/n] INSTRUCTION", then
# either "#N CACHED" or the step's output and "#N DONE".
steps=$(awk '
  match($0, /^#[0-9]+ /) { n = substr($0, 2, RLENGTH - 2); rest = substr($0, RLENGTH + 1)
    if (rest ~ /^\[[^]]*\] RUN /) { gsub(/ +/, " ", rest); name[n] = rest; order[++k] = n }
    else if (rest == "CACHED") cached[n] = 1 }
  END { for (i = 1; i <= k; i++) { n = order[i]; print (n in cached ? "CACHED" : "RAN") "\t" name[n] } }' <<< "$out")
ran_install=$(awk -F'\t' '$1 == "RAN" && $2 ~ /install-deps/ { print $2; exit }' <<< "$steps")
installed=$(grep -m 1 -E '^#[0-9]+ [0-9.]+ installed [0-9]+ packages into' <<< "$out" | sed -E 's/^#[0-9]+ [0-9.]+ //')
cached_install=$(awk -F'\t' '$1 == "CACHED" && $2 ~ /install-deps/ { print $2; exit }' <<< "$steps")

# The ids are named only when nothing else in the log says the install ran.
changed_id=''
[ "$before" = "$after" ] || [ -n "$ran_install$installed" ] \
  || changed_id=" (the install id went from '${before}' to '${after}')"
if [ -n "$ran_install" ] || [ -n "$installed" ] || [ -n "$changed_id" ]; then
  fail "After a change to src/serve.sh only, a rebuild of $dockerfile (what compose.yaml builds the web service from) ran the dependency install again${ran_install:+: ${ran_install} was not CACHED}${installed:+ (the build log says \"$installed\")}${changed_id}." \
    "Expected: that step CACHED. A COPY of files that changed invalidates every step after it; copy only deps.lock and the install script before the install."
fi
[ -n "$cached_install" ] || fail "After a change to src/serve.sh, no RUN step of the build runs tools/install-deps.sh: the check can't see the dependency install." \
  "The dependencies must be installed by a RUN step that runs tools/install-deps.sh deps.lock."
pass "After a change to src/serve.sh only, the rebuild reported the install step as CACHED (${cached_install#*] }), and the image kept the same dependency layer (install id ${after#* })."
