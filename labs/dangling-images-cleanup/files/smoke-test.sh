#!/bin/sh
# beacon smoke test: every line of lamps.txt must read
#   <lighthouse> | <status> | <last check, YYYY-MM-DD HH:MM>
# with a status of lit, dimmed or dark.
set -u
n=0 bad=0
while IFS= read -r line; do
  n=$((n + 1))
  case "$line" in ''|'#'*) continue ;; esac
  status=$(printf '%s\n' "$line" | awk -F' *[|] *' '{print $2}')
  case "$status" in
    lit|dimmed|dark) ;;
    *) echo "smoke: FAIL lamps.txt line $n: unknown status '$status'"; bad=$((bad + 1)) ;;
  esac
done < /srv/www/lamps.txt
[ -s /srv/www/index.html ] || { echo "smoke: FAIL index.html is missing"; bad=$((bad + 1)); }
[ "$bad" -eq 0 ] || exit 1
echo "smoke: ok ($n lines)"
