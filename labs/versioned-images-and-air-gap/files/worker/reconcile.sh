#!/bin/sh
# Reconcile the day's toll records (in /data/records, one "<time> <class> <pence>" line
# per vehicle) and print the totals per class.
set -eu
records=${RECORDS:-/data/records}
if [ ! -f "$records" ]; then
  echo "tollgate-worker $TOLLGATE_VERSION: no records at $records, nothing to do"
  exit 0
fi
awk '{ n[$2]++; sum[$2] += $3 } END { for (c in n) printf "%-10s %5d vehicles %8d pence\n", c, n[c], sum[c] }' "$records"
