# Task: ./deploy.sh deploys with Compose v2. deploy.sh is run in a dry run (see the
# helper in ../lib.sh) on this sandbox, where Compose v2 is installed: it must finish, bring
# the board up with `docker compose ... up`, and never call docker-compose (v1).
[ -f deploy.sh ] || fail "There is no deploy.sh in $PWD." "Expected: the team's deploy script, changed to deploy with docker compose (v2)."

dry_run_deploy with-v2

v1=$(grep -m 1 '^v1 ' <<< "$DRY_CALLS" | cut -d' ' -f2-)
[ -z "$v1" ] || fail "deploy.sh still calls docker-compose: in a dry run it ran \`$v1\`. On the display servers that name is Compose v1." \
  "Expected: every Compose command in deploy.sh uses \`docker compose\` (v2, with a space)."

[ "$DRY_RC" -eq 0 ] || fail "deploy.sh failed (exit $DRY_RC) in a dry run on this sandbox, where Compose v2 is installed." \
  "Its last lines: $(last_lines 3)"

up=$(grep -E '^change docker .*compose( .*)? up( |$)' <<< "$DRY_CALLS" | head -n 1 | cut -d' ' -f2-)
[ -n "$up" ] || fail "deploy.sh finished, but never ran \`docker compose up\`, so it would not (re)start the board." \
  "Docker commands it ran: $(cut -d' ' -f2- <<< "$DRY_CALLS" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"

pass "deploy.sh deploys with Compose v2 (\`$up\`) and no longer calls docker-compose."
