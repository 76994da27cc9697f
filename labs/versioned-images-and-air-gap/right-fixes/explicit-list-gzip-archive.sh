# Right fix: the solution's first variant, one `docker rmi` of the five old tags by name;
# then the archive written gzip-compressed under the name the booth expects (docker load
# reads it as it is), and loaded with the context chosen by DOCKER_CONTEXT.
set -euo pipefail
docker rmi tollgate-api:1.0 tollgate-api:1.1 tollgate-api:1.3 tollgate-worker:2.8 tollgate-worker:2.9
docker image save tollgate-api:1.4 tollgate-worker:2.10 | gzip > usb/tollgate-booth.tar
DOCKER_CONTEXT=booth docker load < usb/tollgate-booth.tar
DOCKER_CONTEXT=booth docker images
