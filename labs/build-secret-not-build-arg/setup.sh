# Setup: start Kestrel's package server (busybox httpd with basic auth, on port 8081),
# give this "CI runner" the token, and build and run waybill 1.0 the way the team
# always has: with the token as a build argument, which records it in the image.
set -euo pipefail

token="pkt_$(seed_hex pkg-token 32)"
build_id=$(seed_hex manifest-tools-build)

# --- the CI runner's credentials: a file, and PKG_TOKEN in every login shell
install -d -m 0700 /root/.config/kestrel
printf '%s\n' "$token" > /root/.config/kestrel/pkg-token
chmod 0600 /root/.config/kestrel/pkg-token
cat > /etc/profile.d/kestrel-ci.sh <<'EOF'
# CI runner credentials: the token for Kestrel's package server (account "ci").
export PKG_TOKEN="$(cat /root/.config/kestrel/pkg-token)"
EOF

# --- Kestrel's package server, with the private manifest-tools 1.3 package
srv=/srv/kestrel-pkgs
pkg=$(mktemp -d /tmp/manifest-tools.XXXXXX)
trap 'rm -rf "$pkg"' EXIT
mkdir -p "$srv/www/private" "$pkg/manifest-tools/bin"
echo "manifest-tools 1.3 (build $build_id)" > "$pkg/manifest-tools/VERSION"
cat > "$pkg/manifest-tools/bin/render-waybill" <<'EOF'
#!/bin/sh
# render-waybill CONSIGNMENT: prints a waybill. Part of manifest-tools, Kestrel Cargo's
# private toolkit.
tools=$(dirname "$0")/..
cat <<WAYBILL
+--------------------------------------------------+
  KESTREL CARGO                 WAYBILL  ${1:-KC-0000}
  from: Depot 4, Saltmarsh Quay
  to:   see consignment note
  packages: 3      weight: 412 kg     handling: dry
+--------------------------------------------------+
rendered by $(cat "$tools/VERSION")
WAYBILL
EOF
chmod 0755 "$pkg/manifest-tools/bin/render-waybill"
tar -czf "$srv/www/private/manifest-tools-1.3.tar.gz" -C "$pkg" manifest-tools
echo '<p>Kestrel Cargo package server. Packages are under /private/ (account needed).</p>' > "$srv/www/index.html"
printf '# busybox httpd: /private needs the CI account\n/private:ci:%s\n' "$token" > "$srv/httpd.conf"
chmod 0644 "$srv/httpd.conf"

docker run -d --name kestrel-pkgs --restart unless-stopped --init -p 8081:80 \
  --label io.drydock.role=package-server \
  -v "$srv/www:/www:ro" -v "$srv/httpd.conf:/etc/httpd.conf:ro" \
  drydock/lab-base:latest httpd -f -p 80 -h /www -c /etc/httpd.conf >/dev/null
serves() { curl -fsS -o /dev/null -u "ci:$token" http://127.0.0.1:8081/private/manifest-tools-1.3.tar.gz; }
wait_until 10 serves || { echo "setup: the package server did not start" >&2; exit 1; }
# Builds reach it another way: from a container, through the host gateway. That path
# can lag the loopback one by a moment; a learner's first build must not find it closed.
serves_builds() {
  docker run --rm --network bridge --add-host pkgs.kestrel.internal:host-gateway drydock/lab-base:latest \
    wget -q -O /dev/null "http://ci:$token@pkgs.kestrel.internal:8081/private/manifest-tools-1.3.tar.gz"
}
wait_until 20 serves_builds || { echo "setup: the package server cannot be reached from a container" >&2; exit 1; }

# --- waybill 0.9, the release before manifest-tools (built without the token), which
# the runner keeps for rollbacks: a cleanup must leave it alone.
printf '%s\n' 'FROM drydock/lab-base:latest' 'LABEL org.opencontainers.image.version=0.9' \
  'COPY www/index.html /srv/www/index.html' 'USER app' 'CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]' \
  | quietly docker build -q -t waybill:0.9 -f - .

# --- waybill 1.0, built and started the old way
out=$(PKG_TOKEN="$token" docker compose up -d --build 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
cid=$(service_container waybill web)
prints() { docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-1' 2>/dev/null | grep -q "build $build_id"; }
wait_until 10 prints || { echo "setup: waybill 1.0 did not start" >&2; exit 1; }
docker history --no-trunc --format '{{.CreatedBy}}' waybill:1.0 | grep -qF "$token" \
  || { echo "setup: the token is not in waybill:1.0's history as expected" >&2; exit 1; }
