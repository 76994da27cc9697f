# Right fix, for the long run: a cleanup script in the project, as the nightly job would
# run it. It prunes images only, with the label filter and an absolute cut-off time
# (until= also takes a timestamp) instead of a duration.
set -euo pipefail
cat > cleanup-images.sh <<'SH'
#!/bin/sh
# Nightly: remove beacon's dangling images older than a day that no container uses.
set -eu
cutoff=$(date -u -d '24 hours ago' +%Y-%m-%dT%H:%M:%SZ)
echo "removing untagged beacon images created before $cutoff"
docker images --filter dangling=true --filter label=project=beacon --filter "until=$cutoff"
docker image prune --force --filter label=project=beacon --filter "until=$cutoff"
SH
chmod +x cleanup-images.sh
./cleanup-images.sh
