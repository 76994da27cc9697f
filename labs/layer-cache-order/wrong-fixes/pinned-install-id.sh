# Wrong fix: make the "proof" agree instead of the build. A .dockerignore slims the
# context, and install-deps.sh now writes a fixed install id, so two builds always look
# alike; but the source is still copied before the install, so every code change still
# runs the whole install again.
set -euo pipefail
printf '.git\ntestdata\n' > .dockerignore
sed -i 's|^echo "$(date -u .*> "$prefix/.install-id"$|echo "deps.lock $(sha256sum "$lock" \| cut -c1-12)" > "$prefix/.install-id"|' tools/install-deps.sh
grep -q 'sha256sum "$lock"' tools/install-deps.sh
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
wait_until 10 container_is_up "$cid"
