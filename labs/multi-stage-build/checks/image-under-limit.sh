# Task: the image the kiosks get (the one the board container runs; before the first
# deploy, quayboard:2.0) is at most 10 MB, as `docker images` counts (10,000,000 bytes).
LIMIT=10000000
cid=$(service_container quayboard board)
if [ -n "$cid" ]; then
  image=$(docker inspect -f '{{.Image}}' "$cid"); what="The image the board container runs"
else
  image=$(docker image inspect -f '{{.Id}}' quayboard:2.0 2>/dev/null)
  what="quayboard:2.0 (built, but not deployed: there is no board container)"
fi
[ -n "$image" ] || fail "There is no quayboard:2.0 image and no board container yet." "Build and deploy with: ./deploy.sh"

size=$(docker image inspect -f '{{.Size}}' "$image")
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
[ "$size" -le "$LIMIT" ] && pass "$what is $(mb "$size"): within the kiosks' 10 MB."

# Name the layer that weighs most, so a "RUN rm -rf" at the end is visibly no help.
IFS=$'\t' read -r bytes step < <(docker history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$image" \
  | awk -F'\t' '{ s = $1; m = 1; if (s ~ /kB$/) m = 1e3; else if (s ~ /MB$/) m = 1e6; else if (s ~ /GB$/) m = 1e9
                  sub(/[a-zA-Z]+$/, "", s); b = s * m; if (b > max) { max = b; line = $1 "\t" $2 } } END { print line }')
step=${step% # buildkit}
case "$step" in
  *skald-sdk*) why="That layer is the SDK itself, inherited through FROM skald/sdk:4.2. Deleting its files in a later step hides them but can't make that layer smaller." ;;
  COPY*) why="Copy only what the board needs (the compiled pages) into the final image." ;;
  *) why="Expected: an image with only what runs the board." ;;
esac
fail "$what is $(mb "$size"); the kiosks accept at most 10 MB." "Its biggest layer ($bytes) comes from: $step. $why"
