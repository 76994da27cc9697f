# Task: each tollgate repository keeps only its newest version (by version number, so
# 2.10 is newer than 2.9), plus any version a running container was started from.
declare -A newest=([tollgate-api]=1.4 [tollgate-worker]=2.10)

# Tags that running containers were started from (e.g. tollgate-api:1.2).
in_use=$(docker ps -q | xargs -r docker inspect -f '{{.Config.Image}}' | sort -u)

missing=() extra=()
for repo in tollgate-api tollgate-worker; do
  tags=$(docker images "$repo" --format '{{.Tag}}' | grep -vx '<none>')
  grep -qxF "${newest[$repo]}" <<< "$tags" || missing+=("$repo:${newest[$repo]}")
  while IFS= read -r tag; do
    [ -n "$tag" ] && [ "$tag" != "${newest[$repo]}" ] || continue
    grep -qxF "$repo:$tag" <<< "$in_use" && continue
    extra+=("$repo:$tag")
  done <<< "$(sort -V <<< "$tags")"
done

if [ "${#missing[@]}" -gt 0 ]; then
  list=$(printf '%s and ' "${missing[@]}"); list=${list% and }
  fail "$list, the newest version, is gone. Versions compare as numbers: 2.10 is newer than 2.9 (sort -V), though plain sort puts 2.9 last." \
    "If you saved it to a tar first, docker load -i brings it back; otherwise start the lab over."
fi
[ "${#extra[@]}" -eq 0 ] && pass "Only the newest versions (tollgate-api:1.4, tollgate-worker:2.10) and versions that running containers use are left."

list=$(printf '%s, ' "${extra[@]}"); list=${list%, }
fail "${#extra[@]} older versions are still there, and no running container uses them: $list." \
  "Expected: only tollgate-api:1.4, tollgate-worker:2.10, and the versions that running containers were started from."
