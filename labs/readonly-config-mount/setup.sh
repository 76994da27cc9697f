# Setup: the harbour office's settings (with a webhook token unique to this session) on
# the host, owned by tidewire's uid as the README asks; then the upgrade to tidewire 2.0,
# which tries to migrate that config at start and crash-loops on the read-only file mount.
set -euo pipefail

sed -i "s|tw-SESSION_TOKEN|tw-$(seed_hex webhook 16)|" tidewire/config.json
grep -q "tw-$(seed_hex webhook 16)" tidewire/config.json
chown -R 1000:1000 tidewire

quietly docker compose up -d --build
cid=$(service_container tidewire tidewire)
crashed() { [ "$(docker inspect -f '{{.RestartCount}}' "$cid")" -gt 0 ]; }
wait_until 15 crashed || { echo "setup: tidewire 2.0 did not fail as expected" >&2; docker logs "$cid" >&2; exit 1; }
grep -q "Error: EBUSY: resource busy or locked, rename 'config.json.tmp' -> 'config.json'" <<< "$(docker logs "$cid" 2>&1)" \
  || { echo "setup: tidewire did not fail with EBUSY" >&2; docker logs "$cid" >&2; exit 1; }
