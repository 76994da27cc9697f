# Prepare: build harborlog 1.0 and 1.1, the same for every learner. Setup builds both
# again (every step cached), runs 1.0, and upgrades to 1.1.
set -euo pipefail
old=$(mktemp -d /tmp/harborlog-1.0.XXXXXX)
trap 'rm -rf "$old"' EXIT
harborlog_1_0 "$old"
quietly docker compose -f "$old/compose.yaml" build
quietly docker compose build
