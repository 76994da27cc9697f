# Setup: this session's ledger id goes into the ledger's settings (so the check knows
# they were really read), beacon's start script has lost its execute bit (as it did in
# the repository), and quayside 3.0 is deployed: all three containers exit at once.
set -euo pipefail
sed -i -E "s/^ledger_id = .*/ledger_id = LG-$(seed_hex ledger 6)/" config/ledger/ledger.conf
grep -q "^ledger_id = LG-$(seed_hex ledger 6)$" config/ledger/ledger.conf
chmod 0644 beacon/beacon-start.sh

out=$(docker compose up -d --build 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
all_exited() {
  local s
  for s in tally ledger beacon; do [ "$(container_state "$(service_container quayside "$s")")" = exited ] || return 1; done
}
wait_until 10 all_exited || { echo "setup: not all three containers exited as expected" >&2; docker compose ps -a >&2; exit 1; }
