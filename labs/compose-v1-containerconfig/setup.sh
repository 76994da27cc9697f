# Setup: install legacy Compose v1 (docker-compose 1.29.2) the way the old display
# server has it, deploy ferryboard 2.3 with deploy.sh (a first deploy works with v1),
# then deploy 2.4, which makes v1 recreate the container and crash on this engine.
set -euo pipefail

# --- docker-compose: Debian 12's docker-compose 1.29.2 package, unmodified, run from
# the drydock/compose-v1 image against this sandbox's engine (Debian 13, which the
# sandbox runs, no longer ships v1).
cat > /usr/local/bin/docker-compose <<'EOF'
#!/bin/bash
# docker-compose: legacy Docker Compose v1 (1.29.2, Python), as packaged by Debian 12
# "bookworm". This sandbox's Debian no longer ships it, so it runs from the
# drydock/compose-v1 image, talking to this engine through its socket. It sees the
# current folder and the exported environment, like an installed docker-compose would.
env=()
for name in $(compgen -e); do
  case $name in PATH|HOME|HOSTNAME|PWD|OLDPWD|SHLVL|TERM|_|DRYDOCK_*) ;; *) env+=(-e "$name") ;; esac
done
tty=()
[ -t 0 ] && [ -t 1 ] && tty=(-i -t -e TERM)
exec docker run --rm "${tty[@]}" "${env[@]}" --network none --label drydock.tool=compose-v1 \
  -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:$PWD" -w "$PWD" \
  drydock/compose-v1:latest "$@"
EOF
chmod 0755 /usr/local/bin/docker-compose

# --- ferryboard 2.3, deployed last week with the same deploy.sh (v1 creates it fresh)
new_release=$(cat RELEASE)
echo 2.3 > RELEASE
out=$(./deploy.sh 2>&1) || { printf '%s\n' "$out" >&2; echo "setup: deploying 2.3 failed" >&2; exit 1; }
cid=$(service_container ferryboard board)
board_answers() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null | grep -q 'ferryboard 2.3'; }
wait_until 10 board_answers || { echo "setup: ferryboard 2.3 did not start" >&2; exit 1; }

# --- tonight's deploy of 2.4: v1 stops the 2.3 container, renames it, and crashes
# before it creates the new one. The board is down.
echo "$new_release" > RELEASE
if ./deploy.sh > deploy-2.4.log 2>&1; then
  echo "setup: deploying 2.4 with Compose v1 did not fail as expected" >&2; exit 1
fi
grep -q "KeyError: 'ContainerConfig'" deploy-2.4.log \
  || { echo "setup: deploy of 2.4 failed in an unexpected way:" >&2; tail -n 5 deploy-2.4.log >&2; exit 1; }
