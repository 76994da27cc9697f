# Task: tidewire 2.0 is up (not restarting) and answers on port 8080. When it isn't, say
# why as precisely as the engine shows it: a config file mounted on its own (a rename can
# never replace a mount point: EBUSY, read-only or not) or a read-only folder (EROFS).
cid=$(service_container tidewire tidewire)
[ -n "$cid" ] || fail "There is no container for the tidewire service (Compose project tidewire)." \
  "Expected: tidewire 2.0 running. Start it with: docker compose up -d"

status=''
answers() { status=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
if ! retry_while_up 3 "$cid" answers; then
  state=$(describe_state "$cid")
  err=$(docker logs --tail 20 "$cid" 2>&1 | grep '^Error:' | tail -n 1)
  [ "$state" = running ] && fail "The tidewire container is running, but tidewire does not answer on port 8080 inside it." \
    "Its last log line: $(last_log_line "$cid")"
  home=$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$cid" | sed -n 's/^TIDEWIRE_HOME=//p' | tail -n 1)
  config=${home:-/home/app/.tidewire}; config=${config%/}/config.json
  IFS='|' read -r ftype _ frw < <(docker inspect -f '{{range .Mounts}}{{if eq .Destination "'"$config"'"}}{{.Type}}|{{.Source}}|{{.RW}}{{end}}{{end}}' "$cid")
  why=''
  if [ -n "$ftype" ]; then
    [ "$frw" = true ] && how=writable || how=read-only
    why="$config is a $ftype mount of its own ($how): tidewire saves by renaming config.json.tmp over it, and a rename can't replace a mount point (EBUSY), read-only or not."
  elif [[ "$err" == *EROFS* ]]; then
    why="The folder that holds $config is mounted read-only, so tidewire can't write config.json.tmp there."
  fi
  fail "The tidewire container is $state; expected it running. It fails with: ${err:-$(last_log_line "$cid")}" ${why:+"$why"}
fi
pass "tidewire runs and answers on port 8080 ($(sed -n 's/^config = //p' <<< "$status"))."
