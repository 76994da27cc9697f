# Wrong fix: the deploy refuses the image, so raise the limit in deploy.sh. The board goes
# live, with 40 MB of compiler the kiosks have no room for.
set -euo pipefail
sed -i 's/^LIMIT_MB=10$/LIMIT_MB=50/' deploy.sh
grep -q '^LIMIT_MB=50$' deploy.sh
./deploy.sh 2>&1 | tail -n 2
