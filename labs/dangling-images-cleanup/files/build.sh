#!/bin/sh
# CI build of beacon, run by the shared runner on every push to main.
# CI sets BUILD_NUMBER and GIT_COMMIT; the defaults are for a run by hand.
set -eu
BUILD_NUMBER=${BUILD_NUMBER:-dev}
GIT_COMMIT=${GIT_COMMIT:-local}

# Every build is tagged beacon:latest: the previous build keeps its layers
# but loses the tag.
docker build \
  --label ci.build="$BUILD_NUMBER" \
  --label org.opencontainers.image.revision="$GIT_COMMIT" \
  -t beacon:latest .

# Smoke test. A failed run keeps its container for QA (see RETENTION.md).
if docker run --name "beacon-smoke-$BUILD_NUMBER" beacon:latest /usr/local/bin/smoke-test; then
  docker rm "beacon-smoke-$BUILD_NUMBER" >/dev/null
else
  echo "build.sh: smoke test failed; container beacon-smoke-$BUILD_NUMBER kept for QA" >&2
  exit 1
fi
