# Task: tidewire can save its config, and what it saves outlives the container. Either
# the config file sits in a writable *folder* mount (bind or volume) and tidewire has
# saved the migrated version there, or tidewire runs from TIDEWIRE_* variables with no
# file at all. A single-file bind mount (read-only or not) and the container's own
# writable layer don't pass.
cid=$(service_container tidewire tidewire)
[ -n "$cid" ] || fail "There is no container for the tidewire service (Compose project tidewire)." \
  "Start it with: docker compose up -d"

home=$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$cid" | sed -n 's/^TIDEWIRE_HOME=//p' | tail -n 1)
home=${home:-/home/app/.tidewire}
config=${home%/}/config.json

# A mount whose destination is the config file itself: a rename can never replace it.
IFS='|' read -r ftype fsrc frw < <(docker inspect -f '{{range .Mounts}}{{if eq .Destination "'"$config"'"}}{{.Type}}|{{.Source}}|{{.RW}}{{end}}{{end}}' "$cid")
if [ -n "$ftype" ]; then
  if [ "$frw" = true ]; then how=read-write; else how=read-only; fi
  today=''
  container_is_up "$cid" && today=" tidewire runs now only because it had nothing to save at this start; its next save (a migration, tidewire doctor --fix) fails."
  fail "$config is a $ftype mount of its own ($fsrc, $how). tidewire saves by writing config.json.tmp and renaming it over config.json, and a rename can't replace a mount point: it fails with EBUSY, read-only or not.$today" \
    "Expected: the folder that holds config.json mounted writable, or no file at all (settings from TIDEWIRE_* variables)."
fi

# The folder mount that holds the config (if any) must be writable.
mount=$(mount_covering "$cid" "$config") || mount=''
case "$mount" in
  tmpfs*) fail "tidewire's config folder is a $mount: it lives in memory and is emptied whenever the container stops." \
    "Expected: a bind-mounted host folder or a volume, writable." ;;
esac
if [ -n "$mount" ]; then
  rw=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "'"${mount##* at }"'"}}{{.RW}}{{end}}{{end}}' "$cid")
  [ "$rw" = true ] || fail "tidewire's config folder is the $mount, mounted read-only, so tidewire can't write config.json.tmp there (EROFS)." \
    "Expected: the folder mounted writable."
  # Writable for tidewire (uid 1000, who owns it) is enough; writable for everyone on the
  # host lets any user replace the office's settings and read or change the webhook token.
  src=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "'"${mount##* at }"'"}}{{if eq .Type "bind"}}{{.Source}}{{end}}{{end}}{{end}}' "$cid")
  for f in "$src" "$src/config.json"; do
    [ -n "$src" ] && [ -e "$f" ] || continue
    mode=$(stat -c %a "$f")
    (( 8#$mode & 2 )) && fail "tidewire's config folder is the $mount, but $f is world-writable (mode $mode): any user on the host can replace the office's settings and their webhook token." \
      "Expected: writable by tidewire's user (uid 1000, the owner) only, e.g. chmod 755 on the folder and 644 on the file."
  done
fi

status=''
answers() { status=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
retry_while_up 3 "$cid" answers \
  || fail "Can't check what tidewire saved yet: it isn't up (the container is $(describe_state "$cid"))." \
    "Its last log line: $(last_log_line "$cid")"
source_line=$(sed -n 's/^config = //p' <<< "$status")

case "$source_line" in
  environment*) pass "tidewire takes its settings from TIDEWIRE_* variables and keeps no config file, so it has nothing to save." ;;
esac

[ -n "$mount" ] || fail "tidewire saves its config to $config, in the container's own writable layer." \
  "Whatever it saves there (and any edit) is lost when the container is recreated. Expected: that folder on a writable mount (a bind-mounted host folder or a volume)."
version=$(sed -n 's/^.*(version \([0-9]*\))$/\1/p' <<< "$source_line")
[ "$version" = 2 ] || fail "$config is on the $mount, but tidewire hasn't saved the migrated config there (it reports: ${source_line:-nothing})." \
  "Expected: configVersion 2 in the file after tidewire's start."
pass "tidewire saved its migrated config (version 2) to $config, on the $mount: it outlives the container."
