#!/bin/sh
# A quay screen: every second it asks the board for the departures, presenting the
# display key it was paired with, and logs whenever what it shows changes.
KEY_FILE=/var/lib/quay-screen/board.key
BOARD_URL=${BOARD_URL:-http://board:8080}
last=''
say() { [ "$1" = "$last" ] || echo "[quay-screen] $1"; last=$1; }
while :; do
  key=$(cat "$KEY_FILE" 2>/dev/null)
  if [ -z "$key" ]; then
    say "not paired yet: no display key in $KEY_FILE"
  elif page=$(wget -qO- -T 2 "$BOARD_URL/cgi-bin/departures?key=$key" 2>&1); then
    say "showing departures ($(printf '%s\n' "$page" | head -n 1 | sed 's/.*| //')), paired with display key $key"
  else
    case $page in
      *403*) say "the board rejected display key $key: showing NOT PAIRED" ;;
      *) say "can't reach the board at $BOARD_URL: showing NO SERVICE" ;;
    esac
  fi
  sleep 1
done
