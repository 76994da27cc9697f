# Right fix, another route: a separate kiosk.Dockerfile named in compose.yaml, the SDK
# version as a build argument, an unnamed build stage referred to by number, the pages
# copied with --chown, httpd as the ENTRYPOINT; built with plain `docker build` and
# started with `docker compose up -d`.
set -euo pipefail
cat > kiosk.Dockerfile <<'DOCKERFILE'
ARG SKALD_VERSION=4.0
FROM skald/sdk:${SKALD_VERSION}
COPY pages /src/pages
RUN skaldc build /src/pages -o /src/site

FROM drydock/lab-base:latest
COPY --from=0 --chown=app:app /src/site/ /home/app/site/
USER app
EXPOSE 8080
ENTRYPOINT ["httpd", "-f", "-p", "8080"]
CMD ["-h", "/home/app/site"]
DOCKERFILE
sed -i 's|^    build: \.$|    build:\n      context: .\n      dockerfile: kiosk.Dockerfile\n      args:\n        SKALD_VERSION: "4.2"|' compose.yaml
grep -q 'dockerfile: kiosk.Dockerfile' compose.yaml
docker build -q --build-arg SKALD_VERSION=4.2 -f kiosk.Dockerfile -t quayboard:2.0 . >/dev/null
docker compose up -d 2>&1 | tail -n 1
