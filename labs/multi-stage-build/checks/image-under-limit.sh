# Task: the image the kiosks get (the one the board container runs; before the first
# deploy, quayboard:2.0) is at most 10 MB, as `docker images` counts (10,000,000 bytes),
# and so is the image the repository builds: the check builds it again, as the next
# ./deploy.sh will, on its own tag (an image slimmed by hand, exported and imported or
# committed, would be replaced by the fat one on the next deploy).
qb_deployed

# biggest_layer IMAGE: why an image is big, naming the layer that weighs most.
biggest_layer() {
  local bytes step why
  IFS=$'\t' read -r bytes step < <(docker history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$1" \
    | awk -F'\t' '{ s = $1; m = 1; if (s ~ /kB$/) m = 1e3; else if (s ~ /MB$/) m = 1e6; else if (s ~ /GB$/) m = 1e9
                    sub(/[a-zA-Z]+$/, "", s); b = s * m; if (b > max) { max = b; line = $1 "\t" $2 } } END { print line }')
  step=${step% # buildkit}
  case "$step" in
    *skald-sdk*) why="That layer is the SDK itself, inherited through FROM skald/sdk:4.2. Deleting its files in a later step hides them but can't make that layer smaller." ;;
    COPY*) why="Copy only what the board needs (the compiled pages) into the final image." ;;
    *) why="Expected: an image with only what runs the board." ;;
  esac
  echo "Its biggest layer ($bytes) comes from: $step. $why"
}

size=$(docker image inspect -f '{{.Size}}' "$image")
[ "$size" -le "$LIMIT" ] \
  || fail "$what is $(mb "$size"); the kiosks accept at most 10 MB." "$(biggest_layer "$image")" ${stale:+"$stale"}

if ! qb_next_build; then
  fail "$what is $(mb "$size"), but building the repository again (as ./deploy.sh does) fails: $next_error" \
    "Expected: compose.yaml and the Dockerfile build the slim image that runs."
fi
next_size=$(docker image inspect -f '{{.Size}}' "$next")
[ "$next_size" -le "$LIMIT" ] \
  || fail "$what is $(mb "$size"), but building the repository again (as the next ./deploy.sh will) gives $(mb "$next_size"): the slim image was not built from this Dockerfile the way compose.yaml builds it (another Dockerfile, docker export | import, docker commit), and the next release will be refused." \
    "$(biggest_layer "$next")"
pass "$what is $(mb "$size"), and building the repository again gives $(mb "$next_size"): both within the kiosks' 10 MB."
