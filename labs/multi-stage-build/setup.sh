# Setup: the Skald SDK image (skald/sdk:4.2, about 40 MB of compiler, libraries and
# docs) as the vendor ships it, then quayboard 2.0 built on it the way the Dockerfile
# says, and the deploy that the kiosks' size limit stops.
#
# The vendor's image is written as a `docker load` archive (that is how it reached this
# air-gapped network), on top of drydock/lab-base.
set -euo pipefail

work=$(mktemp -d /tmp/skald-sdk.XXXXXX)
trap 'rm -rf "$work"' EXIT
sdk="$work/rootfs/opt/skald"
mkdir -p "$sdk/bin" "$sdk/libexec" "$sdk/lib" "$sdk/include/skald" "$sdk/share/templates" "$sdk/share/doc" "$work/rootfs/src"

# --- the SDK: a small compiler driver and a lot of toolchain -----------------------------
cat > "$sdk/bin/skaldc" <<'EOF'
#!/bin/sh
# skaldc 4.2.1, the Skald page compiler.
# usage: skaldc build SRC_DIR -o OUT_DIR     compile every SRC_DIR/*.skald to OUT_DIR/*.html
#        skaldc --version
set -eu
SKALD_HOME=${SKALD_HOME:-/opt/skald}
case "${1:-}" in
  --version) echo "skaldc 4.2.1 (Skald SDK 4.2)"; exit 0 ;;
  build) [ $# -eq 4 ] && [ "$3" = -o ] || { echo "usage: skaldc build SRC_DIR -o OUT_DIR" >&2; exit 2; } ;;
  *) echo "usage: skaldc build SRC_DIR -o OUT_DIR | skaldc --version" >&2; exit 2 ;;
esac
src=$2 out=$4
for part in libexec/skald-cc1 lib/libskald.a lib/libskald-rt.a share/templates/page.html; do
  [ -f "$SKALD_HOME/$part" ] || { echo "skaldc: broken SDK: $SKALD_HOME/$part is missing" >&2; exit 1; }
done
mkdir -p "$out"
n=0
for page in "$src"/*.skald; do
  [ -f "$page" ] || { echo "skaldc: no .skald pages in $src" >&2; exit 1; }
  name=$(basename "$page" .skald)
  title=$(sed -n 's/^= //p' "$page" | head -n 1)
  body=$(awk '
    function close_blocks() { if (list) print "</ul>"; if (table) print "</table>"; list = table = 0 }
    /^= / { close_blocks(); print "<h1>" substr($0, 3) "</h1>"; next }
    /^- / { if (table) { print "</table>"; table = 0 } if (!list) { print "<ul>"; list = 1 }
            print "<li>" substr($0, 3) "</li>"; next }
    /^\| / { if (list) { print "</ul>"; list = 0 } if (!table) { print "<table class=\"departures\">"; table = 1 }
             n = split(substr($0, 3), cell, / *[|] */); row = "<tr>"
             for (i = 1; i <= n; i++) row = row "<td>" cell[i] "</td>"; print row "</tr>"; next }
    { close_blocks(); if ($0 != "") print "<p>" $0 "</p>" }
    END { close_blocks() }' "$page")
  awk -v title="$title" -v body="$body" '{ sub(/@TITLE@/, title); if ($0 == "@BODY@") print body; else print }' \
    "$SKALD_HOME/share/templates/page.html" > "$out/$name.html"
  n=$((n + 1))
done
echo "skaldc 4.2.1: compiled $n pages into $out"
EOF
chmod 0755 "$sdk/bin/skaldc"
cat > "$sdk/share/templates/page.html" <<'EOF'
<!doctype html>
<meta charset="utf-8">
<meta name="generator" content="skaldc 4.2.1">
<title>@TITLE@</title>
@BODY@
EOF
printf '/* skald.h: Skald SDK 4.2 public API */\n#define SKALD_VERSION "4.2.1"\n' > "$sdk/include/skald/skald.h"
head -c 8500000 /dev/urandom > "$sdk/libexec/skald-cc1"; chmod 0755 "$sdk/libexec/skald-cc1"
head -c 14000000 /dev/urandom > "$sdk/lib/libskald.a"
head -c 6000000 /dev/urandom > "$sdk/lib/libskald-rt.a"
head -c 3000000 /dev/urandom > "$sdk/lib/libutf.a"
head -c 9000000 /dev/urandom > "$sdk/share/doc/skald-manual.pdf"

# --- skald/sdk:4.2 as a docker load archive ---------------------------------------------------
base_id=$(docker image inspect -f '{{.Id}}' drydock/lab-base:latest)
docker save drydock/lab-base:latest | tar -xO "blobs/sha256/${base_id#sha256:}" > "$work/base.json"
[ -s "$work/base.json" ] || { echo "setup: could not read the lab-base config" >&2; exit 1; }
mkdir -p "$work/archive"
created=$(( $(date +%s) - 86400 * 40 ))
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime="@$created" -cf "$work/layer.tar" -C "$work/rootfs" .
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mv "$work/layer.tar" "$work/archive/$layer.tar"
jq -c --arg created "$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)" --arg diff "sha256:$layer" '
    .created = $created
  | .config.Env = ["PATH=/opt/skald/bin:/bin", "SKALD_HOME=/opt/skald"]
  | .config.WorkingDir = "/src" | .config.Cmd = ["skaldc", "--version"]
  | .config.Labels = {"org.opencontainers.image.vendor": "Skald Labs", "org.opencontainers.image.title": "Skald SDK", "org.opencontainers.image.version": "4.2.1"}
  | .rootfs.diff_ids += [$diff]
  | .history += [
      {"created_by": "ADD skald-sdk-4.2.1-linux.tar /opt/ # buildkit"},
      {"created_by": "ENV PATH=/opt/skald/bin:/bin", "empty_layer": true},
      {"created_by": "ENV SKALD_HOME=/opt/skald", "empty_layer": true},
      {"created_by": "WORKDIR /src", "empty_layer": true},
      {"created_by": "CMD [\"skaldc\" \"--version\"]", "empty_layer": true}
    ] | .history |= map(.created = (.created // $created) | .comment = (.comment // "buildkit.dockerfile.v0"))' \
  "$work/base.json" > "$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/archive/$config.json"
printf '[{"Config":"%s.json","RepoTags":["skald/sdk:4.2"],"Layers":["base-layer-already-loaded.tar","%s.tar"]}]\n' "$config" "$layer" \
  > "$work/archive/manifest.json"
quietly docker load -i <(tar -cf - -C "$work/archive" .)

# --- quayboard 2.0, as built today: the deploy refuses it -------------------------------------
if out=$(sh ./deploy.sh 2>&1); then
  echo "setup: deploy.sh accepted the single-stage image" >&2; printf '%s\n' "$out" >&2; exit 1
fi
grep -q 'Not deployed' <<< "$out" || { echo "setup: the build failed" >&2; printf '%s\n' "$out" >&2; exit 1; }
