# Wrong fix: turn the build argument into an environment variable ("ENV is not in the
# build args"). ENV values are stored in the image config, and every container started
# from the image gets the token in its environment.
set -euo pipefail
sed -i 's|^ARG PKG_TOKEN$|ARG PKG_TOKEN\nENV PKG_TOKEN=${PKG_TOKEN}|' Dockerfile
grep -q '^ENV PKG_TOKEN=' Dockerfile
PKG_TOKEN=$(cat /root/.config/kestrel/pkg-token) docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
