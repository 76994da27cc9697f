# Prepare: build ferrycast's images, the same for every learner. Setup's
# `docker compose up -d --build` then finds every step cached.
set -euo pipefail
quietly docker compose build
