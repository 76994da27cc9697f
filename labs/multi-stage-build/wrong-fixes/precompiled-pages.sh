# Wrong fix: compile the pages once with the SDK image, outside the build, and ship a
# one-stage image that copies the compiled HTML from the repository. The image is slim
# today, but nothing compiles pages/ any more: the next edit to a page deploys the old HTML.
set -euo pipefail
mkdir -p www
docker run --rm -v "$PWD/pages:/src/pages:ro" -v "$PWD/www:/out" skald/sdk:4.2 skaldc build pages -o /out
cat > Dockerfile <<'DOCKERFILE'
# quayboard: the pages are compiled with `skaldc build pages -o www` (SDK image) before the build.
FROM drydock/lab-base:latest
COPY www/ /srv/www/
USER app
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]
DOCKERFILE
./deploy.sh 2>&1 | tail -n 1
