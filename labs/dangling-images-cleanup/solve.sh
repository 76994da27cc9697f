# Solve: remove only what RETENTION.md lets go, in one prune. Without -a, prune takes
# only dangling images, and never one that a container (running or stopped) uses; the
# label filter keeps it to beacon's images; until=24h spares the last 24 hours.
set -euo pipefail
docker images --filter dangling=true --filter label=project=beacon --filter until=24h
docker image prune --force --filter label=project=beacon --filter until=24h
