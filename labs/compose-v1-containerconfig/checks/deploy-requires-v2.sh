# Task: ./deploy.sh stops, loudly and before it changes anything, on a server without
# Compose v2. deploy.sh is run in a dry run (see the helper in ../lib.sh) where the v2 plugin
# is hidden, so the real `docker compose version` fails as it does on such a server.
[ -f deploy.sh ] || fail "There is no deploy.sh in $PWD." "Expected: the team's deploy script, which checks for Compose v2 before it deploys."

dry_run_deploy without-v2
said=$(last_lines 2)

v1=$(grep -m 1 '^v1 ' <<< "$DRY_CALLS" | cut -d' ' -f2-)
[ -z "$v1" ] || fail "On a server without Compose v2, deploy.sh runs Compose v1: in a dry run it called \`$v1\`." \
  "Expected: it stops with an error instead, because v1 crashes on current engines (KeyError: 'ContainerConfig')."

[ "$DRY_RC" -ne 0 ] || fail "On a server without Compose v2, deploy.sh exits 0 (success), so a pipeline would report a deploy that never happened." \
  "It printed: ${said:-nothing}" "Expected: a non-zero exit and a message saying Compose v2 is required."

change=$(grep -m 1 '^change ' <<< "$DRY_CALLS" | cut -d' ' -f2-)
[ -z "$change" ] || fail "On a server without Compose v2, deploy.sh fails only after it started working: its first change was \`$change\`." \
  "Expected: it checks for Compose v2 first (e.g. with \`docker compose version\`) and stops before it builds or deploys anything."

[ -n "$said" ] || fail "On a server without Compose v2, deploy.sh stops (exit $DRY_RC) without printing a word." \
  "Expected: a message that says Compose v2 (\`docker compose\`) is required."

pass "Without Compose v2, deploy.sh stops before it changes anything (exit $DRY_RC). It says: $said"
