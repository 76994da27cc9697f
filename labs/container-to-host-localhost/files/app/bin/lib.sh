# berthboard's helpers.
TIDEGAUGE_URL=${TIDEGAUGE_URL:-http://localhost:9400}
BOOKINGS_URL=${BOOKINGS_URL:-http://bookings:8080}

# fetch URL: print the body, or busybox wget's error message and fail.
fetch() {
  err=$(mktemp)
  if body=$(wget -qO- -T 2 "$1" 2>"$err"); then rm -f "$err"; printf '%s\n' "$body"; return 0; fi
  tr '\n' ' ' < "$err" | sed 's/ *$//'; rm -f "$err"; return 1
}
