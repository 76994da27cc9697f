# Wrong fix: system prune, made "safe" with the right filters. Here it looks harmless:
# the smoke-test containers, tally's network and the build cache were all created
# minutes ago, so until=24h spares them. On the runner they are days old: the stopped
# smoke-test containers QA needs are labelled project=beacon, and they would be gone.
set -euo pipefail
docker system prune -f --filter label=project=beacon --filter until=24h
