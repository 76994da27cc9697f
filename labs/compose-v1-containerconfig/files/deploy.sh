#!/usr/bin/env bash
# Deploys ferryboard on the terminal's display server: builds the release named in
# RELEASE, then (re)starts the board on it. Run it from anywhere: ./deploy.sh
set -euo pipefail
cd "$(dirname "$0")"

release=$(cat RELEASE)
export FERRYBOARD_RELEASE="$release"

echo "==> building ferryboard $release"
docker build --quiet --build-arg "RELEASE=$release" --tag "ferryboard:$release" .

echo "==> starting ferryboard $release"
docker-compose up -d

echo "==> ferryboard $release is live on port 8080"
