# Task: the build context, as BuildKit sees it after .dockerignore, leaves out testdata/
# and .git/, still holds what the build needs, and both folders still exist in the
# project. The context is read by a throwaway build that copies all of it into an
# empty image and exports that as a tar (nothing is stored in the engine).
[ -d testdata ] && [ "$(find testdata -maxdepth 1 -name 'gauge-*.csv' | wc -l)" -ge 40 ] \
  || fail "testdata/ is gone or incomplete: the tests replay those readings (sh tests/run-tests.sh)." \
    "Keep it in the project, and leave it out of the build context with .dockerignore. Start the lab over to get it back."
[ -f .git/HEAD ] || fail ".git/ is gone: that was the project's repository and history." \
  "Keep it, and leave it out of the build context with .dockerignore. Start the lab over to get it back."

err=$(mktemp); trap 'rm -f "$err"' EXIT
listing=$(printf 'FROM scratch\nCOPY . /\n' | docker build -q -f - -o type=tar,dest=- . 2>"$err" | tar -tvf - 2>/dev/null)
[ -n "$listing" ] || fail "Could not read the build context: $(grep -v '^WARNING' "$err" | tail -n 1)"

sizes=$(awk '{ path = $6; sub(/^\.\//, "", path); total += $3
               if (path ~ /^testdata(\/|$)/) td += $3; if (path ~ /^\.git(\/|$)/) git += $3 }
             END { printf "%d %d %d", total, td, git }' <<< "$listing")
read -r total testdata git <<< "$sizes"
human() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.1f MB", b / 1048576; else printf "%.1f kB", b / 1024 }'; }

missing=()
for f in deps.lock tools/install-deps.sh src/serve.sh src/www/cgi-bin/tide; do
  awk -v f="$f" '{ p = $6; sub(/^\.\//, "", p); if (p == f) found = 1 } END { exit !found }' <<< "$listing" || missing+=("$f")
done

if [ "$testdata" -gt 0 ] || [ "$git" -gt 0 ]; then
  parts=()
  [ "$testdata" -eq 0 ] || parts+=("testdata/ $(human "$testdata")")
  [ "$git" -eq 0 ] || parts+=(".git/ $(human "$git")")
  list=$(printf '%s and ' "${parts[@]}"); list=${list% and }
  fail "The build context is $(human "$total"), of which $list: a COPY . . sends all of that to the builder and into the image." \
    "Expected: testdata/ and .git/ left out of the context by a .dockerignore file in $LAB_DIR."
fi
[ "${#missing[@]}" -eq 0 ] || fail "The build context no longer has what the build needs: ${missing[*]}." \
  "Your .dockerignore excludes too much: exclude testdata/ and .git/, not the source."
pass "The build context is $(human "$total"): testdata/ and .git/ stay out, the source and deps.lock are in."
