# Wrong fix: pin the Engine API version so that v1 gets its field back. Engine 26 still
# includes ContainerConfig at API 1.44, so v1 recreates the container and 2.4 goes live,
# but the script still depends on unmaintained v1, and engines drop old API versions
# over time (Docker 29 already refuses anything older than 1.44).
set -euo pipefail
sed -i 's/^docker-compose up -d$/COMPOSE_API_VERSION=1.44 docker-compose up -d/' deploy.sh
grep -q '^COMPOSE_API_VERSION=1.44 docker-compose up -d$' deploy.sh
./deploy.sh
cid=$(service_container ferryboard board)
wait_until 10 container_is_up "$cid"
