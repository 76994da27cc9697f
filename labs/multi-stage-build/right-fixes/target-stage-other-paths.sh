# Right fix, another layout: three stages (compile, the kiosk image, and a test stage
# after it that is not shipped); compose.yaml builds the kiosk stage with `target:`. The
# pages compile to /build/html and are served from /var/www/board.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
FROM skald/sdk:4.2 AS compile
WORKDIR /work
COPY pages/ pages/
RUN skaldc build pages -o /build/html

FROM drydock/lab-base:latest AS kiosk
COPY --from=compile /build/html /var/www/board
USER app
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www/board"]

# Not shipped: checks the compiled pages (docker build --target test .).
FROM compile AS test
RUN grep -q '<table class="departures">' /build/html/departures.html
DOCKERFILE
sed -i 's|^    build: \.$|    build:\n      context: .\n      target: kiosk|' compose.yaml
grep -q 'target: kiosk' compose.yaml
./deploy.sh 2>&1 | tail -n 1
