# tollgate's releases, shared by setup, checks and fixes. Setup stamps every release
# image with the labels org.opencontainers.image.version and .revision, the revision
# derived from DRYDOCK_SEED; so a check can tell the released tollgate-worker 2.10 from
# another image that was merely tagged or built as 2.10.

# release_revision REPO:VERSION: the revision label setup gave that release.
release_revision() { seed_hex "rev-$1" 7; }

# release_named REPO VERSION_LABEL REVISION_LABEL: "REPO VERSION" if these labels are
# those of one of tollgate's releases of REPO; empty otherwise.
release_named() {
  [ -n "$2" ] && [ "$3" = "$(release_revision "$1:$2")" ] && printf '%s %s\n' "$1" "$2"
}

# image_release REPO IMAGE [DOCKER_ARGS...]: which release of REPO the image is, e.g.
# "tollgate-worker 2.9"; empty if it is not one (rebuilt, imported, committed by hand).
image_release() {
  local repo=$1 image=$2 version revision; shift 2
  IFS='|' read -r version revision < <(docker "$@" image inspect -f \
    '{{index .Config.Labels "org.opencontainers.image.version"}}|{{index .Config.Labels "org.opencontainers.image.revision"}}' "$image" 2>/dev/null)
  release_named "$repo" "$version" "$revision"
}
