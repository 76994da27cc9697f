# Setup: tidewise's checkout as it is on a developer's machine: the recorded tide-gauge
# readings the tests replay (testdata/, about 40 MB) and the git repository (.git/,
# about 12 MB), neither excluded from the build context. Then the build everyone runs.
set -euo pipefail

# --- testdata/: a year of readings per gauge ------------------------------------------
mkdir -p testdata
awk -v seed="$(seed_hex testdata 6)" 'BEGIN {
  srand(); printf "# tide gauge readings, session %s\ntime,level_m,pressure_hpa,water_temp_c\n", seed
  for (i = 0; i < 26000; i++)
    printf "2025-%02d-%02dT%02d:%02d:00Z,%.3f,%.1f,%.2f\n", i % 12 + 1, i % 28 + 1, i % 24, (i * 6) % 60,
      2.1 + 1.9 * sin(i / 12.42 * 6.2832) + rand() / 10, 1000 + rand() * 30, 8 + rand() * 6
}' > testdata/.base.csv
for gauge in ellery-pier ellery-quay gannet-rock hollin-head mew-stone carrick-roads skerry-point wren-bridge; do
  for quarter in q1 q2 q3 q4 q5; do
    { echo "# gauge $gauge, $quarter"; cat testdata/.base.csv; } > "testdata/gauge-$gauge-$quarter.csv"
  done
done
rm testdata/.base.csv

# --- .git/: the repository, mostly one pack file ---------------------------------------
mkdir -p .git/objects/pack .git/objects/info .git/refs/heads .git/refs/tags .git/hooks .git/info
echo 'ref: refs/heads/main' > .git/HEAD
printf '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote "origin"]\n\turl = git@git.ellery.example:tidewise/tidewise.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n' > .git/config
seed_hex head 40 > .git/refs/heads/main
echo 'Unnamed repository; edit this file to name it for gitweb.' > .git/description
pack=$(seed_hex pack 40)
head -c 12000000 /dev/urandom > ".git/objects/pack/pack-$pack.pack"
head -c 300000 /dev/urandom > ".git/objects/pack/pack-$pack.idx"

# --- the build as everyone runs it ----------------------------------------------------------
quietly docker compose up -d --build
cid=$(service_container tidewise web)
answers() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/tide 2>/dev/null | grep -q '^dependencies: 8 packages'; }
wait_until 15 answers || { echo "setup: tidewise did not start" >&2; docker logs "$cid" >&2; exit 1; }
