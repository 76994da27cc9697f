# Task: no containers are left from services that berthboard's compose.yaml no longer
# has (sync and cache, dropped in 2.1): Compose calls these orphans.
current='api web'
orphans=()
while IFS='|' read -r name service; do
  [ -n "$name" ] || continue
  case " $current " in *" $service "*) ;; *) orphans+=("${name#/} (service $service)") ;; esac
done < <(docker ps -aq --filter label=com.docker.compose.project=berthboard --filter label=com.docker.compose.oneoff=False \
  | xargs -r docker inspect -f '{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}')

if [ "${#orphans[@]}" -gt 0 ]; then
  list=$(printf '%s, ' "${orphans[@]}"); list=${list%, }
  fail "Project berthboard still has containers of services that compose.yaml no longer defines: $list." \
    "Expected: none. Compose warns about these orphans on every up; it can remove them for you."
fi
pass "No orphan containers: project berthboard has only the services of its compose.yaml."
