# Wrong fix: start over with `docker compose down -v`. The fresh, empty volume gets the
# image's files (template included) copied in, so 1.1 starts, but the logbook is gone and
# the template still sits under the mount, ready to be hidden again by the next upgrade.
set -euo pipefail
docker compose down -v 2>&1 | tail -n 3
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container harborlog web)
wait_until 10 container_is_up "$cid"
sleep 1
