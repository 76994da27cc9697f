# Prepare: build quayside 3.0's images as setup does (beacon's start script without its
# execute bit), the same for every learner. Setup's `docker compose up -d --build` then
# finds every step cached. The ledger's settings, which setup makes this learner's, are
# mounted, not built in.
set -euo pipefail
chmod 0644 beacon/beacon-start.sh
quietly docker compose build
