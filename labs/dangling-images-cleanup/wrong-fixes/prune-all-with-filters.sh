# Wrong fix: the right filters, plus -a. With -a, prune removes every image that no
# container uses, tagged or not: the release image beacon:1.3 goes too.
set -euo pipefail
docker image prune -a -f --filter label=project=beacon --filter until=24h
