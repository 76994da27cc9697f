# Task: the image the kiosks get contains nothing of the Skald SDK, in any of its layers
# (a file deleted by a later step is still in the image): not the SDK's own layer, no
# /opt/skald, no compiler, no libraries. The same goes for the image the repository
# builds, which the check builds again on its own tag, as the next ./deploy.sh will.
qb_deployed

found=$(sdk_in_image "$image")
[ -z "$found" ] || fail "$what still contains the Skald SDK: $found." \
  "Expected: only what runs the board (the base image and the compiled pages). The compiler belongs in a build stage that the final image doesn't start FROM."

qb_next_build || fail "$what contains nothing of the Skald SDK, but building the repository again (as ./deploy.sh does) fails: $next_error"
found=$(sdk_in_image "$next")
[ -z "$found" ] || fail "$what contains nothing of the SDK, but building the repository again (as the next ./deploy.sh will) gives an image that still contains the Skald SDK: $found." \
  "The image that runs was not built from this Dockerfile the way compose.yaml builds it; the compiler belongs in a build stage."
pass "$what contains no part of the Skald SDK in any layer, and neither does an image built again from the repository."
