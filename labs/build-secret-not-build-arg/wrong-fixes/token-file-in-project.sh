# Wrong fix (security shortcut): use a build secret, but copy the token into the
# project folder for it ("compose.yaml wants a file"). The image is clean, but the token
# now sits in the repository's working tree, one `git add .` from being committed, and
# is sent to the builder with every build context.
set -euo pipefail
mkdir -p secrets
cp /root/.config/kestrel/pkg-token secrets/pkg-token
sed -i -e '/^ARG PKG_TOKEN$/d' \
  -e 's|^RUN wget -qO /tmp/manifest-tools.tar.gz \\$|RUN --mount=type=secret,id=pkg_token,required=true \\\n    wget -qO /tmp/manifest-tools.tar.gz \\|' \
  -e 's|http://ci:${PKG_TOKEN}@|http://ci:$(cat /run/secrets/pkg_token)@|' Dockerfile
sed -i -e '/^      args:$/,/^        PKG_TOKEN:/d' -e 's|^      context: \.$|      context: .\n      secrets: [pkg_token]|' compose.yaml
printf '\nsecrets:\n  pkg_token:\n    file: ./secrets/pkg-token\n' >> compose.yaml
docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
