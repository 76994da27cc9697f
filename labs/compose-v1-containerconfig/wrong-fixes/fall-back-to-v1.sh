# Wrong fix: use v2 where it is installed, and quietly fall back to docker-compose
# where it is not. This sandbox deploys fine, but a server without the plugin runs v1
# again and crashes halfway through the next deploy, with the board left down.
set -euo pipefail
sed -i 's/^docker-compose up -d$/if docker compose version >\/dev\/null 2>\&1; then compose="docker compose"; else compose=docker-compose; fi\n$compose up -d/' deploy.sh
grep -q '^\$compose up -d$' deploy.sh
./deploy.sh
cid=$(service_container ferryboard board)
wait_until 10 container_is_up "$cid"
