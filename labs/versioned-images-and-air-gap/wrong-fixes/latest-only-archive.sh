# Wrong fix: a correct cleanup, then the newest images shipped as `latest` only ("the
# booth always runs the latest"). The booth gets tollgate-api:latest and
# tollgate-worker:latest, but no version tag: nothing there can ask for 1.4 or 2.10, and
# the next delivery silently replaces what `latest` means.
set -euo pipefail
docker rmi tollgate-api:1.0 tollgate-api:1.1 tollgate-api:1.3 tollgate-worker:2.8 tollgate-worker:2.9
docker tag tollgate-api:1.4 tollgate-api:latest
docker tag tollgate-worker:2.10 tollgate-worker:latest
docker save -o usb/tollgate-booth.tar tollgate-api:latest tollgate-worker:latest
docker --context booth load -i usb/tollgate-booth.tar
