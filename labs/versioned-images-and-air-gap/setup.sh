# Setup: a server that has kept every tollgate release it ever ran (tollgate-api 1.0 to
# 1.4, tollgate-worker 2.8 to 2.10), with 1.4 and 1.2 running; and a second, air-gapped
# engine (the Kestrel Bridge booth), reachable as the Docker context `booth`.
#
# Building eight releases would keep the learner waiting, so the release history is
# written as a `docker load` archive instead: the layers, labels and history that the
# Dockerfiles in api/ and worker/ produce, with creation dates spread over the year.
set -euo pipefail

# --- the booth's engine: a second dockerd with its own data, no network, no registry ---
# It gets a network namespace of its own (unshare --net): truly air-gapped, and its
# start-up can't touch the sandbox engine's docker0 bridge. Its API socket is a file,
# so this shell reaches it all the same.
BOOTH=unix:///srv/booth/docker.sock
mkdir -p /srv/booth/data
echo '{}' > /srv/booth/daemon.json   # not the sandbox's /etc/docker/daemon.json
setsid unshare --net dockerd --config-file /srv/booth/daemon.json --host "$BOOTH" \
  --data-root /srv/booth/data --exec-root /srv/booth/exec --pidfile /srv/booth/dockerd.pid \
  --storage-driver vfs --bridge none --iptables=false --ip6tables=false \
  > /var/log/booth-dockerd.log 2>&1 < /dev/null &

# --- the release history ------------------------------------------------------------
archive_begin tollgate-releases   # labs/_lib/setup.sh
# shellcheck disable=SC2154 # set by archive_begin, in labs/_lib/setup.sh
work=$archive_work
now=$(date +%s)

# add_image CREATED TAG VERSION CONFIG_JQ HISTORY_JSON LAYER_HEX: an image on top of lab-base.
add_image() {
  local created=$1 tag=$2 version=$3 config_jq=$4 history=$5 layer=$6 iso
  iso=$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%S.%3NZ)
  jq -c --arg created "$iso" --arg version "$version" --arg revision "$(seed_hex "rev-$tag" 7)" \
        --arg diff "sha256:$layer" --argjson history "$history" "
      .created = \$created
    | .config.Env += [\"TOLLGATE_VERSION=\" + \$version]
    | .config.Labels = {\"org.opencontainers.image.version\": \$version, \"org.opencontainers.image.revision\": \$revision}
    | $config_jq
    | .rootfs.diff_ids += [\$diff]
    | .history += [\$history[] | .created = \$created | .comment = \"buildkit.dockerfile.v0\"
                   | .created_by |= sub(\"@VERSION@\"; \$version)]" \
    "$work/base.json" > "$work/config.json"
  archive_image "[\"$tag\"]" "$work/config.json" "$layer"
}

api_history='[
  {"created_by": "ARG VERSION=@VERSION@", "empty_layer": true},
  {"created_by": "ENV TOLLGATE_VERSION=@VERSION@", "empty_layer": true},
  {"created_by": "COPY www/ /srv/www/ # buildkit"},
  {"created_by": "EXPOSE map[8080/tcp:{}]", "empty_layer": true},
  {"created_by": "CMD [\"httpd\" \"-f\" \"-p\" \"8080\" \"-h\" \"/srv/www\"]", "empty_layer": true}]'
api_config='.config.Cmd = ["httpd","-f","-p","8080","-h","/srv/www"] | .config.ExposedPorts = {"8080/tcp": {}}'
for spec in 1.0:262 1.1:197 1.2:128 1.3:71 1.4:15; do
  version=${spec%%:*}; created=$((now - ${spec#*:} * 86400))
  dir="$work/api-$version"
  mkdir -p "$dir/srv"
  cp -r api/www "$dir/srv/www"
  echo "<!-- tollgate-api $version, revision $(seed_hex "rev-tollgate-api:$version" 7) -->" >> "$dir/srv/www/index.html"
  add_image "$created" "tollgate-api:$version" "$version" "$api_config" "$api_history" "$(archive_layer "$dir" "$created")"
done

worker_history='[
  {"created_by": "ARG VERSION=@VERSION@", "empty_layer": true},
  {"created_by": "ENV TOLLGATE_VERSION=@VERSION@", "empty_layer": true},
  {"created_by": "COPY --chmod=0755 reconcile.sh /opt/tollgate/reconcile # buildkit"},
  {"created_by": "CMD [\"/opt/tollgate/reconcile\"]", "empty_layer": true}]'
worker_config='.config.Cmd = ["/opt/tollgate/reconcile"]'
for spec in 2.8:120 2.9:60 2.10:12; do
  version=${spec%%:*}; created=$((now - ${spec#*:} * 86400))
  dir="$work/worker-$version"
  mkdir -p "$dir/opt/tollgate"
  { cat worker/reconcile.sh; echo "# tollgate-worker $version, revision $(seed_hex "rev-tollgate-worker:$version" 7)"; } > "$dir/opt/tollgate/reconcile"
  chmod 0755 "$dir/opt/tollgate/reconcile"
  add_image "$created" "tollgate-worker:$version" "$version" "$worker_config" "$worker_history" "$(archive_layer "$dir" "$created")"
done

archive_load

# --- what runs ---------------------------------------------------------------------------
quietly docker run -d --init --name tollgate-api --label "tollgate.deployment=$(seed_hex deploy-api)" -p 8080:8080 tollgate-api:1.4 & api=$!
quietly docker run -d --init --name tollgate-api-legacy --label "tollgate.deployment=$(seed_hex deploy-legacy)" -p 8081:8080 tollgate-api:1.2 & legacy=$!
wait "$api" && wait "$legacy" || { echo "setup: the tollgate-api containers did not start" >&2; exit 1; }

answers() { curl -fsS -m 1 "localhost:$1/cgi-bin/fare?class=car" | grep -q "tollgate-api $2:"; }
wait_until 10 answers 8080 1.4 || { echo "setup: tollgate-api 1.4 does not answer" >&2; exit 1; }
wait_until 10 answers 8081 1.2 || { echo "setup: tollgate-api-legacy 1.2 does not answer" >&2; exit 1; }

# --- the booth is up, and reachable as a context --------------------------------------------
booth_answers() { docker -H "$BOOTH" version >/dev/null 2>&1; }
wait_until 20 booth_answers || { echo "setup: the booth engine did not start" >&2; tail -n 5 /var/log/booth-dockerd.log >&2; exit 1; }
quietly docker context create booth --description "Kestrel Bridge booth (maintenance link, air-gapped)" --docker "host=$BOOTH"
