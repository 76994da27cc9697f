#!/bin/sh
# What the pipeline's deploy step runs: build, start, and wait until Docker
# reports every service running and healthy. Fails if that takes longer than
# DEPLOY_WAIT seconds, or if a container turns unhealthy.
set -eu
cd "$(dirname "$0")"
docker compose up -d --build --wait --wait-timeout "${DEPLOY_WAIT:-30}"
echo "deploy: tidewatch is up and healthy"
