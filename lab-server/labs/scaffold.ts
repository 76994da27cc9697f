/**
 * `drydock labs new <slug>`: a new lab folder and its lesson stub that pass
 * `labs validate` and `labs verify` exactly as written, so an author starts from
 * something that works and changes one piece at a time. The scenario is the
 * smallest real one: a container that was created but never started.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE } from '../../lab-format/load.ts';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class ScaffoldError extends Error {}

const manifest = (slug: string, title: string) => `title: ${JSON.stringify(title)}
summary: >-
  A container called web was created but never started. Get it running.
difficulty: beginner
minutes: 5
lessons:
  - lessons/${slug}
images:
  - lab-base

intro: |
  A colleague prepared a container called \`web\` from the preloaded
  \`drydock/lab-base\` image, but \`docker ps\` does not list it. Find out why and get
  it running. \`docker ps -a\` shows every container, running or not.

tasks:
  - id: web-runs
    title: The container web runs
    instructions: |
      Get the existing container \`web\` running (don't create a new one).
    check: checks/web-runs.sh
    explainedIn: lessons/${slug}#cause
    hints:
      - '\`docker ps -a\` lists containers that are not running too. What state is \`web\` in?'
      - 'A created container starts with \`docker start\`.'
    solution: |
      \`docker start web\`
wrongFixes:
  - script: wrong-fixes/another-container.sh
    kind: wrong-artefact
    why: >-
      Starting a second container under another name leaves web itself stopped.
    caughtBy: web-runs
    says: never started
rightFixes:
  - script: right-fixes/restart.sh
    why: >-
      \`docker restart\` starts a container that is not running, so it gets web up as well.
`;

const FILES: Record<string, (slug: string) => string> = {
  'setup.sh': () => `# Setup: web exists but was never started.
set -euo pipefail
docker create --name web drydock/lab-base sleep 86400 >/dev/null
`,
  'solve.sh': () => `# Solve, task by task: one function per task, solve_<task id with _ for ->.
# \`solve.sh web-runs\` applies that task's part only ("skip with the solution"),
# \`solve.sh\` every part in order; solve_tasks (labs/_lib/setup.sh) refuses an id
# this lab does not have. See docs/writing-labs.md.
set -euo pipefail

# Start the container that exists.
solve_web_runs() {
  docker start web >/dev/null
  wait_until 10 container_is_up web
}

solve_tasks web-runs -- "$@"
`,
  'checks/web-runs.sh': () => `# Check: the container named web runs.
id=$(docker container inspect -f '{{.Id}}' web 2>/dev/null)
[ -n "$id" ] || fail "There is no container called web. The check wants the one that was prepared."
container_is_up "$id" || fail "The container web is $(describe_state "$id"); it should be running."
pass "web is running."
`,
  'wrong-fixes/another-container.sh':
    () => `# Wrong fix: a new container under another name, web left as it was.
set -euo pipefail
docker run -d --name web-2 drydock/lab-base sleep 86400 >/dev/null
`,
  'right-fixes/restart.sh': () => `# Right fix: restart starts a container that is not running.
set -euo pipefail
docker restart web >/dev/null
wait_until 10 container_is_up web
`,
  'files/README.md': (slug) => `# ${slug}

The files of this folder are copied to the lab's workdir (/root/lab) before setup.
`,
};

const lesson = (slug: string, title: string) => `---
title: ${JSON.stringify(title)}
description: What this lesson explains, in one or two sentences (it is the page's meta description).
lab: ${slug}
symptoms:
  - 'docker ps does not list my container'
---

## Symptom

What the learner sees.

## Cause

Why it happens.

## Fix

What to do, and why the obvious wrong fixes are wrong.
`;

/**
 * Writes labs/<slug>/ and content/lessons/<slug>.mdx under `root` (or, for a
 * content pack, `lessons/<slug>.mdx`: `lessonsFolder` is `lessons`); returns
 * the files written, relative to `root`.
 */
export function scaffoldLab(
  root: string,
  slug: string,
  title = 'A container that never started',
  lessonsFolder = join('content', 'lessons'),
): string[] {
  if (!SLUG.test(slug))
    throw new ScaffoldError(
      `"${slug}" is not a lab slug: use lowercase letters, digits and single dashes, e.g. port-already-in-use`,
    );
  const labDir = join(root, 'labs', slug);
  const lessonFile = join(root, lessonsFolder, `${slug}.mdx`);
  for (const taken of [labDir, lessonFile])
    if (existsSync(taken)) throw new ScaffoldError(`${taken} exists already; choose another slug`);
  const files: Record<string, string> = {
    [join('labs', slug, MANIFEST_FILE)]: manifest(slug, title),
    ...Object.fromEntries(
      Object.entries(FILES).map(([path, text]) => [join('labs', slug, path), text(slug)]),
    ),
    [join(lessonsFolder, `${slug}.mdx`)]: lesson(slug, title),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return Object.keys(files);
}
