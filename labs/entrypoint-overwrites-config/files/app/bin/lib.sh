# ferrycast's settings library, sourced by the app, its CGI scripts and ferrycast-ctl.
# The settings file has one `key = value` per line; `#` starts a comment.
FERRYCAST_CONFIG=${FERRYCAST_CONFIG:-/var/lib/ferrycast/ferrycast.conf}

# raw_setting KEY: the value as written in the file (the last line for KEY wins).
raw_setting() {
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$FERRYCAST_CONFIG" 2>/dev/null \
    | tail -n 1 | sed 's/[[:space:]]*$//'
}

# expand TEXT: replace every ${NAME} with the value of the environment variable NAME
# (empty if unset). ferrycast does this itself each time it reads a setting (since 1.2).
expand() {
  rest=$1 out=''
  while :; do
    case $rest in *'${'*'}'*) ;; *) break ;; esac
    out=$out${rest%%'${'*}
    rest=${rest#*'${'}
    name=${rest%%'}'*}
    rest=${rest#*'}'}
    case $name in
      ''|[!A-Za-z_]*|*[!A-Za-z0-9_]*) out="$out\${$name}" ;;
      *) eval "out=\$out\${$name:-}" ;;   # safe: NAME was checked just above
    esac
  done
  printf '%s\n' "$out$rest"
}

# setting KEY: the value ferrycast uses, with ${NAME} references expanded.
setting() { expand "$(raw_setting "$1")"; }

# set_setting KEY VALUE: replace KEY's line in the settings file, or add one.
set_setting() {
  tmp="$FERRYCAST_CONFIG.new.$$"
  awk -v k="$1" -v v="$2" '
    $0 ~ "^[ \t]*" k "[ \t]*=" { if (!done) print k " = " v; done = 1; next }
    { print }
    END { if (!done) print k " = " v }
  ' "$FERRYCAST_CONFIG" > "$tmp" && mv "$tmp" "$FERRYCAST_CONFIG"
}
