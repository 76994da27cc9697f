#!/bin/sh
# Install the dependencies pinned in deps.lock into /opt/tidewise/vendor.
# Each package is built from source, which takes a while; the result depends only on
# deps.lock (and this script).
set -eu
lock=${1:-deps.lock}
prefix=/opt/tidewise/vendor
mkdir -p "$prefix"
n=0
while read -r name version; do
  case "$name" in ''|'#'*) continue ;; esac
  echo "building $name $version ..."
  sleep 0.3   # stands in for download and compile
  mkdir -p "$prefix/$name"
  printf '# %s %s\n%s_version=%s\n' "$name" "$version" "$name" "$version" > "$prefix/$name/lib.sh"
  n=$((n + 1))
done < "$lock"
# A new id each time this step really runs. Two images with the same id share this
# layer: the second build took it from the build cache.
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" > "$prefix/.install-id"
echo "installed $n packages into $prefix"
