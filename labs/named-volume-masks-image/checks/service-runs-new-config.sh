# Task: the web service is up (not restarting) and its settings were rendered from the
# 1.1 template: the rendered settings have the `berths` key that only 1.1 has, filled in.
# Then the next release: the repository built again with one more line in the template,
# started on copies of the service's volumes, must render that line (a template copied
# into the volume once, by hand or by a seed-if-missing step, would hide it).
cid=$(service_container harborlog web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project harborlog)." \
  "Expected: the web service running harborlog 1.1. Start it with: docker compose up -d --build"

status=''
app_answers() { status=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
# Right after a (re)start the app may need a moment; a container that is not running
# (e.g. restarting in a crash loop) fails at once.
if ! retry_while_up 3 "$cid" app_answers; then
  state=$(describe_state "$cid")
  if [ "$state" = running ]; then
    fail "The web container is running, but harborlog does not answer on port 8080 inside it." \
      "Its last log line: $(last_log_line "$cid")"
  fi
  fail "The web container is $state; expected it running." \
    "Its last log line: $(last_log_line "$cid")"
fi

berths=$(printf '%s\n' "$status" | sed -n 's/^berths *= *//p' | head -n 1)
case "$berths" in
  '') fail "harborlog runs, but its settings have no 'berths' key, so they were not rendered from the 1.1 template." \
        "It reports: $(printf '%s\n' "$status" | grep -v '^#' | tr '\n' ' ')" ;;
  *'${'*) fail "harborlog runs, but 'berths' was not filled in (berths = $berths): the entrypoint did not render the template." ;;
esac

if ! next_release_settings "$cid"; then
  fail "harborlog runs with the 1.1 settings (berths = $berths), but the next release can't be tried: $next_error" \
    "The check builds your repository again and starts it on copies of the service's volumes."
fi
grep -qxF "$next_marker" <<< "$next_settings" \
  || fail "harborlog runs with the 1.1 settings (berths = $berths), but the next release's template would not reach them: built again with one more line in the template and started on a copy of the data volume, it still renders the old settings." \
    "A copy of the template in the volume (put there by hand, or by a step that seeds it only if missing) outlives every upgrade. Expected: the entrypoint renders the template the image ships."
pass "harborlog runs and its settings come from the 1.1 template (berths = $berths); a rebuild with a changed template, started on a copy of the data volume, renders the change."
