# Right fix: remove every container that belongs to project berthboard, found by its
# com.docker.compose.project label (the hand-started holder carries it too, from its
# image), and nothing else; then deploy 2.1 from scratch.
set -euo pipefail
mapfile -t ids < <(docker ps -aq --filter label=com.docker.compose.project=berthboard)
docker inspect -f '{{.Name}} {{.Config.Image}}' "${ids[@]}"
docker rm -f "${ids[@]}" >/dev/null
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
