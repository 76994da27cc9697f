# Solve: remove exactly the container that holds the name (the hand-started 2.0 API:
# no Compose container number, image berthboard-api:2.0), then deploy 2.1 and let
# Compose remove its own orphans. Nothing else on the engine is touched.
set -euo pipefail
holder=$(docker inspect -f '{{.Id}}' berthboard-api)
[ -z "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$holder")" ]
docker rm -f "$holder" >/dev/null
docker compose up -d --build --remove-orphans 2>&1 | grep -v '^#' | tail -n 4
