# Task: the running app still serves the logbook entries written by 1.0 during setup.
# Their pilot references derive from DRYDOCK_SEED, so only the original data (or a
# faithful backup of it) matches; the app is asked, not the files in the workdir.
expected=()
for i in 1 2 3 4; do expected+=("PX-$(seed_hex "logbook-$i")"); done

cid=$(service_container harborlog web)
[ -n "$cid" ] || fail "There is no container for the web service, so nothing serves the logbook." \
  "Expected: harborlog running and serving the 4 entries logged before the upgrade."

logbook=''
read_logbook() { logbook=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/logbook 2>/dev/null); }
retry_while_up 3 "$cid" read_logbook \
  || fail "Can't check the logbook yet: the check reads it through the running app, and the web container is $(describe_state "$cid")." \
    "Get the service running first, keeping its data volume."

missing=0
for ref in "${expected[@]}"; do grep -qF "$ref" <<< "$logbook" || missing=$((missing + 1)); done
[ "$missing" -eq 0 ] && pass "All 4 logbook entries from before the upgrade are still there."

if [ "$missing" -eq 4 ]; then found="has none of the 4 entries"; else found="is missing $missing of the 4 entries"; fi
said="The logbook harborlog serves $found logged before the upgrade ($(grep -c . <<< "$logbook") lines now)."

IFS='|' read -r type name src < <(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/home/app/harborlog"}}{{.Type}}|{{.Name}}|{{.Source}}{{end}}{{end}}' "$cid")
case "$type:$name" in
  volume:harborlog_data)
    fail "$said" "They were kept in volume harborlog_data; if that volume was removed (e.g. docker compose down -v), it came back empty and they are gone. Start the lab over to try again." ;;
  volume:*)
    fail "$said" "The web container now mounts volume $name at /home/app/harborlog, but the entries are in volume harborlog_data." ;;
  bind:*)
    fail "$said" "The web container now bind-mounts $src at /home/app/harborlog, but the entries are in volume harborlog_data." ;;
  *)
    fail "$said" "The web container has no volume at /home/app/harborlog any more: the entries are in volume harborlog_data, and new ones would be lost with the container." ;;
esac
