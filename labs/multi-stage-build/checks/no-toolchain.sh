# Task: the image the kiosks get contains nothing of the Skald SDK: no /opt/skald, no
# compiler, no libraries. The image's files are listed from a never-started container.
cid=$(service_container quayboard board)
if [ -n "$cid" ]; then
  image=$(docker inspect -f '{{.Image}}' "$cid"); what="The image the board container runs"
else
  image=$(docker image inspect -f '{{.Id}}' quayboard:2.0 2>/dev/null)
  what="quayboard:2.0 (built, but not deployed: there is no board container)"
fi
[ -n "$image" ] || fail "There is no quayboard:2.0 image and no board container yet." "Build and deploy with: ./deploy.sh"

probe=$(docker create --network none --label drydock.probe=1 "$image" 2>&1) || fail "Could not look inside the image: $probe"
toolchain=$(docker export "$probe" | tar -t 2>/dev/null | sed 's|^\./||' \
  | grep -v '/$' | grep -E '^opt/skald/.|(^|/)(skaldc|skald-cc1|libskald[^/]*\.a|libutf\.a|skald-manual\.pdf|skald\.h)$')
docker rm -v "$probe" >/dev/null 2>&1

[ -z "$toolchain" ] && pass "$what contains no part of the Skald SDK."
count=$(grep -c . <<< "$toolchain")
examples=$(grep -E '(skaldc|skald-cc1|libskald\.a)$' <<< "$toolchain" | head -n 3 | sed 's|^|/|' | paste -sd ',' | sed 's/,/, /g')
fail "$what still contains the Skald SDK: $count files, such as ${examples:-/$(head -n 1 <<< "$toolchain")}." \
  "Expected: only what runs the board (the base image and the compiled pages). The compiler belongs in a build stage."
