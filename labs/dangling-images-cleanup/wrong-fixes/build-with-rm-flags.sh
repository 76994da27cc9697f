# Wrong fix: the old advice to add --rm --force-rm to every build. Those flags remove
# the legacy builder's intermediate containers; BuildKit creates none, and the dangling
# images come from moving the beacon:latest tag. The next build just adds another one.
set -euo pipefail
sed -i 's|^docker build \\$|docker build --rm --force-rm \\|' build.sh
grep -q -- '--rm --force-rm' build.sh
BUILD_NUMBER=52 GIT_COMMIT=deadbee ./build.sh 2>&1 | tail -n 3
