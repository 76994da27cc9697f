# Task: after a change to the source alone, a rebuild reuses the dependency layer.
# A real experiment on a copy of the project (without testdata/ and .git/, which are
# another task's business): build, change src/serve.sh, build again, and compare the
# install id that tools/install-deps.sh writes each time it really runs.
tmp=$(mktemp -d /tmp/cache-check.XXXXXX)
tag=cache-check-$$
cleanup() { docker rmi -f "$tag:before" "$tag:after" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' TERM INT   # a check stopped by its time limit still cleans up (via EXIT)

tar -C "$LAB_DIR" --exclude=./testdata --exclude=./.git -cf - . | tar -C "$tmp" -xf - \
  || fail "Could not copy the project for a test build."
[ -f "$tmp/Dockerfile" ] || fail "There is no Dockerfile in $LAB_DIR."
[ -f "$tmp/src/serve.sh" ] || fail "src/serve.sh is missing from the project; the check changes it to simulate a code change."

build() { # build TAG: build the copy; on failure, say so with BuildKit's last error line
  if ! out=$(docker build --progress=plain -t "$tag:$1" "$tmp" 2>&1); then
    fail "The project does not build: $(grep -E 'ERROR|error' <<< "$out" | tail -n 1)"
  fi
}
install_id() { docker run --rm --network none --entrypoint cat "$tag:$1" /opt/tidewise/vendor/.install-id 2>/dev/null; }

build before
before=$(install_id before) || fail "The image built from the Dockerfile has no dependencies in /opt/tidewise/vendor." \
  "The RUN sh tools/install-deps.sh deps.lock step must stay in the build."

printf '# code change %s\n' "$(date +%s%N)" >> "$tmp/src/serve.sh"
build after
after=$(install_id after) || fail "After a change to src/serve.sh, the image has no dependencies in /opt/tidewise/vendor."

[ "$before" = "$after" ] && pass "After a change to src/serve.sh only, the rebuild took the dependency layer from the cache (install id ${after#* } both times)."

step=$(grep -m 1 -E '^#[0-9]+ \[[^]]*\] RUN .*install-deps' <<< "$out" | sed -E 's/^#[0-9]+ //')
fail "After a change to src/serve.sh only, the dependencies were installed again${step:+ by $step} (install id ${before#* } before, ${after#* } after)." \
  "Expected: that step CACHED. A COPY of files that changed invalidates every step after it."
