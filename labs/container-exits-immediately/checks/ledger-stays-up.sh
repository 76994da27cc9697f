# Task: the ledger container runs, started once (no restarts), its own service answers on
# port 8080 with the ledger_id of this session, and it reads that from the repository's
# config/ledger/ (a bind mount of that folder or of the file), not from a copy.
also_check() {
  local src want real=''
  src=$(mount_source "$1" /etc/ledger/ledger.conf)
  want=$(readlink -f "$LAB_DIR/config/ledger")
  [ -z "$src" ] || real=$(readlink -f "$src" 2>/dev/null)
  if [ -z "$src" ]; then
    fail "ledger answers, but its /etc/ledger/ledger.conf comes from no bind mount: it is baked into the image or the container, a copy of config/ledger/ledger.conf." \
      "Expected: ledger reads the repository's settings, mounted from config/ledger/, so an edit there reaches it on the next restart without a rebuild."
  elif [ "$real" != "$want" ] && [ "$real" != "$want/ledger.conf" ]; then
    fail "ledger answers, but it reads its settings from $src, a copy, not from config/ledger/: an edit to config/ledger/ledger.conf would never reach it." \
      "Expected: the bind mount's source is $LAB_DIR/config/ledger (or the file ledger.conf in it)."
  fi
  [ "$real" = "$src" ] || src="$src (a link to $real)"
  NOTE="It reads its settings from $src, mounted into the container."
}
check_stays_up ledger "ledger ok: dues ledger LG-$(seed_hex ledger 6)"   # the ledger_id in config/ledger/ledger.conf
