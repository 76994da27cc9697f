# Task: the api's health check notices when pilotdesk can't serve. The check starts a
# throwaway twin of the api container (same image, same health check test and timeout)
# in maintenance mode, with no network, probes every 0.25 s and one failure enough, and
# asks Docker for its health: it must become "unhealthy". The real api is not touched.
# Every timing is set to a non-zero value: a zero would be filled in from the image's
# HEALTHCHECK (a start period of its own would keep the copy "starting").
cid=$(service_container pilotdesk api)
[ -n "$cid" ] || fail "There is no container for the api service (Compose project pilotdesk)." \
  "Start it with: docker compose up -d --build"

hc=$(docker inspect -f '{{json .Config.Healthcheck}}' "$cid")
test=$(jq -r '(.Test // []) | join(" ")' <<< "$hc")
case "$test" in
  ''|NONE*) fail "The api container has no health check, so nothing tells Docker when pilotdesk is in maintenance and can't serve." \
              "Expected: a health check that fails while pilotdesk is in maintenance mode." ;;
esac

socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
api() { curl -s --max-time 5 --unix-socket "${socket#unix://}" "$@"; }
body=$(jq -n --argjson hc "$hc" --arg image "$(docker inspect -f '{{.Image}}' "$cid")" '{
  Image: $image,
  Env: ["MAINTENANCE=on", "ROSTER_LOAD_SECONDS=0"],
  Labels: {"drydock.probe": "health-twin"},
  Healthcheck: ($hc + {Interval: 250000000, Retries: 1, StartPeriod: 1000000, StartInterval: 250000000,
                       Timeout: ([($hc.Timeout // 0), 3000000000] | map(select(. > 0)) | min)}),
  HostConfig: {NetworkMode: "none", Init: true,
               ExtraHosts: ["api:127.0.0.1", "pilotdesk-api-1:127.0.0.1"]}
}')
twin=$(api -X POST -H 'Content-Type: application/json' -d "$body" http://localhost/containers/create | jq -r '.Id // empty')
[ -n "$twin" ] || fail "Could not create a test copy of the api container to try its health check."
trap 'docker rm -f "$twin" >/dev/null 2>&1' EXIT
docker start "$twin" >/dev/null

decided() { case "$(docker inspect -f '{{.State.Health.Status}}' "$twin" 2>/dev/null)" in healthy|unhealthy) return 0 ;; esac; return 1; }
deadline=$((SECONDS + 4))
until decided || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.1; done
status=$(docker inspect -f '{{.State.Health.Status}}' "$twin")
last=$(docker inspect -f '{{range .State.Health.Log}}{{.ExitCode}}: {{.Output}}{{"\n"}}{{end}}' "$twin" | sed '/^[[:space:]]*$/d' | tail -n 1)
case "$status" in
  unhealthy)
    pass "On a copy of the api container in maintenance mode, your health check failed and Docker reported the copy unhealthy (probe said: $last)." ;;
  healthy)
    fail "A copy of the api container in maintenance mode is reported healthy: the health check ($test) passes even when pilotdesk can't serve." \
      "Expected: a probe that fails while maintenance mode is on. Which endpoint says whether pilotdesk can serve?" ;;
  *)
    fail "A copy of the api container in maintenance mode was still \"${status:-unknown}\" after 4 s: the health check ($test) didn't finish." \
      "Last probe: ${last:-none}" ;;
esac
