# Wrong fix: remove every <none> image by ID with --force. --force removes the images
# of the stopped smoke-test containers too (the containers stay, with no image), and it
# takes today's builds and the tally team's untagged images as well.
set -euo pipefail
# shellcheck disable=SC2046 # one argument per image id, as the hurried engineer types it
docker rmi -f $(docker images --filter dangling=true -q | sort -u)
