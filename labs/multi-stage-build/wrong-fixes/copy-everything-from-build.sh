# Wrong fix: a multi-stage build that copies the whole build stage into the runtime
# stage. Two FROM lines, and still the full SDK in the image.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
FROM skald/sdk:4.2 AS build
WORKDIR /src
COPY pages/ ./pages/
RUN skaldc build pages -o /srv/www

FROM drydock/lab-base:latest
COPY --from=build / /
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]
DOCKERFILE
docker compose up -d --build 2>&1 | tail -n 2
