# Wrong fix: the "free up disk space" classic. It removes every stopped container
# (the smoke tests QA is investigating), then every image no container uses: the
# release beacon:1.3, today's builds and the tally team's images go with the garbage.
set -euo pipefail
docker system prune -a -f
