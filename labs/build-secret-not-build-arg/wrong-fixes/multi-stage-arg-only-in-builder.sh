# Wrong fix (the subtle one): download in a separate stage that takes the build argument,
# and copy only the toolkit into a fresh final stage. The final image is clean, but the
# token still goes in as a build argument: on command lines, in CI job settings and logs,
# and in the history of every image built from the deps stage (e.g. with --target deps).
# One later edit (FROM deps, or ARG PKG_TOKEN in the final stage) and it leaks again.
set -euo pipefail
sed -i -e 's|^FROM drydock/lab-base:latest$|FROM drydock/lab-base:latest AS deps|' \
       -e 's|^COPY www/ /srv/www/$|FROM drydock/lab-base:latest\nCOPY --from=deps /opt/manifest-tools /opt/manifest-tools\nCOPY www/ /srv/www/|' Dockerfile
grep -q '^COPY --from=deps ' Dockerfile
PKG_TOKEN=$(cat /root/.config/kestrel/pkg-token) docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
