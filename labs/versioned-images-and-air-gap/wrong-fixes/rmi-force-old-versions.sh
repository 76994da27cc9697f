# Wrong fix: force the old versions out. docker rmi -f can't delete an image a running
# container uses, so it just removes the tag: tollgate-api-legacy keeps running, but on
# an image that no tag names any more; it can't be recreated from tollgate-api:1.2.
set -euo pipefail
docker rmi -f tollgate-api:1.0 tollgate-api:1.1 tollgate-api:1.2 tollgate-api:1.3 tollgate-worker:2.8 tollgate-worker:2.9
docker save -o usb/tollgate-booth.tar tollgate-api:1.4 tollgate-worker:2.10
docker --context booth load -i usb/tollgate-booth.tar
