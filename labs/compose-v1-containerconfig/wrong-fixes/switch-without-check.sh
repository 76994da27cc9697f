# Wrong fix: only swap docker-compose for docker compose. This sandbox deploys fine, but
# on a server without the v2 plugin the script builds the image first and then dies at
# `docker compose up` with Docker's terse "'compose' is not a docker command": halfway
# through a deploy, with no word about what the server is missing.
set -euo pipefail
sed -i 's/^docker-compose up -d$/docker compose up -d/' deploy.sh
grep -q '^docker compose up -d$' deploy.sh
./deploy.sh
cid=$(service_container ferryboard board)
wait_until 10 container_is_up "$cid"
