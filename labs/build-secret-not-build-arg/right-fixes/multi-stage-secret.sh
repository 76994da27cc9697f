# Right fix, another route: a multi-stage build. A deps stage downloads manifest-tools
# with the token as a secret mount, and the final stage copies only the toolkit from it.
set -euo pipefail
cat > Dockerfile <<'DOCKERFILE'
# waybill: prints Kestrel Cargo's waybills, served by busybox httpd.
FROM drydock/lab-base:latest AS deps
RUN --mount=type=secret,id=pkg_token,target=/run/secrets/pkg_token,required=true \
    wget -qO /tmp/manifest-tools.tar.gz \
      "http://ci:$(cat /run/secrets/pkg_token)@pkgs.kestrel.internal:8081/private/manifest-tools-1.3.tar.gz" \
 && mkdir -p /opt \
 && tar -xzf /tmp/manifest-tools.tar.gz -C /opt

FROM drydock/lab-base:latest
COPY --from=deps /opt/manifest-tools /opt/manifest-tools
COPY www/ /srv/www/
RUN chmod 0755 /srv/www/cgi-bin/*
USER app
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/srv/www"]
DOCKERFILE
sed -i -e '/^      args:$/,/^        PKG_TOKEN:/d' -e 's|^      context: \.$|      context: .\n      secrets:\n        - pkg_token|' compose.yaml
printf '\nsecrets:\n  pkg_token:\n    file: ~/.config/kestrel/pkg-token\n' >> compose.yaml
docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
cid=$(service_container waybill web)
prints() { docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-1' 2>/dev/null | grep -q 'manifest-tools 1.3'; }
wait_until 15 prints
