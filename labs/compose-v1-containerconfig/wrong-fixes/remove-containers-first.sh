# Wrong fix: remove the board's containers before every v1 run, so that v1 only ever
# creates and never recreates. 2.4 goes live, but every deploy now takes the board down
# first, throws away each container's state, and the script still runs unmaintained v1.
set -euo pipefail
sed -i 's/^docker-compose up -d$/docker rm -f $(docker ps -aq --filter label=com.docker.compose.project=ferryboard) >\/dev\/null 2>\&1 || true\ndocker-compose up -d/' deploy.sh
grep -q '^docker rm -f' deploy.sh
./deploy.sh
cid=$(service_container ferryboard board)
wait_until 10 container_is_up "$cid"
