/**
 * Prepared engine states, in real sandboxes: a lab's prepare script runs once per
 * version of the lab, and every sandbox of the lab starts from what it left (its
 * builds and their cache), so setup's own build of the same thing runs no step.
 * A prepare script that fails, or that leaves a container (which every learner
 * would share), fails the start and says why. The labs live in a temporary root
 * that borrows the repository's images and shared script helpers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { asLearner, readySessions } from '../support/learner.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

/** A build whose RUN step stamps the image with a value of its own each time it runs. */
const DOCKERFILE =
  'FROM drydock/lab-base:latest\nRUN cat /proc/sys/kernel/random/uuid > /built-at\n';
const BUILD = 'docker build -q -t stamp:1 . >/dev/null\n';

function writeLab(root: string, slug: string, prepare: string): void {
  const dir = join(root, 'labs', slug);
  const files: Record<string, string> = {
    'lab.yaml': stringify({
      title: `Prepared lab ${slug}`,
      summary: 'A lab whose image is built once, by its prepare script.',
      difficulty: 'beginner',
      minutes: 5,
      images: ['lab-base'],
      prepare: 'prepare.sh',
      intro: 'The stamp image is built.',
      tasks: [
        {
          id: 'stamp-built',
          title: 'The stamp image exists',
          instructions: 'Build it.',
          check: 'checks/stamp-built.sh',
          hints: ['docker build'],
          solution: '`docker build -t stamp:1 .`',
        },
      ],
    }),
    'files/Dockerfile': DOCKERFILE,
    'prepare.sh': prepare,
    // Setup repeats the build, as labs do (`docker compose up -d --build`).
    'setup.sh': BUILD,
    'solve.sh': 'true\n',
    'checks/stamp-built.sh': '[ -n "$(docker images -q stamp:1)" ]\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe('prepared engine states, in real sandboxes', () => {
  let root: string;
  let platform: TestPlatform;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'drydock-engine-states-'));
    mkdirSync(join(root, 'labs'));
    symlinkSync(join(ROOT, 'images'), join(root, 'images'));
    symlinkSync(join(ROOT, 'labs/_lib'), join(root, 'labs/_lib'));
    writeLab(root, 'prepared', BUILD);
    writeLab(root, 'prepare-fails', 'echo "the package mirror is down" >&2; exit 3\n');
    writeLab(
      root,
      'prepare-leaves-container',
      `${BUILD}docker run -d drydock/lab-base sleep 600\n`,
    );
    platform = await startPlatform({ DRYDOCK_ROOT: root, DRYDOCK_STATE_DIR: join(root, 'state') });
  });
  after(async () => {
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
    rmSync(root, { recursive: true, force: true });
  });

  it('runs prepare once, and every sandbox starts from what it built: setup’s build of the same runs no step', async () => {
    const [first, second] = await readySessions(platform, 'prepared', 2);
    const stamps: string[] = [];
    for (const session of [first, second]) {
      const seen = await asLearner(
        session,
        'docker run --rm stamp:1 cat /built-at; docker images -q --filter dangling=true | wc -l',
      );
      assert.equal(seen.exitCode, 0, seen.output);
      const [stamp, dangling] = seen.output.trim().split('\n');
      stamps.push(stamp!);
      assert.equal(
        dangling,
        '0',
        'setup’s build reused the prepared image: no earlier build left untagged',
      );
    }
    // The RUN step ran once, in prepare: both learners' images carry its stamp.
    assert.match(stamps[0]!, /^[0-9a-f-]{36}$/);
    assert.equal(stamps[1], stamps[0], 'both sandboxes have the image prepare built');
    // Saved once, for this version of the lab.
    const saved = readdirSync(join(root, 'state', 'engine-states'));
    assert.deepEqual(
      saved.filter((f) => f.startsWith('prepared-')).length,
      1,
      `one saved state: ${saved.join(', ')}`,
    );
    // Each sandbox's engine is its own: a container in one is not in the other.
    await asLearner(first, 'docker run -d --name only-here drydock/lab-base sleep 60');
    const other = await asLearner(second, 'docker ps -aq --filter name=only-here | wc -l');
    assert.equal(other.output.trim(), '0');
    for (const session of [first, second]) await platform.sessions.end(session, 'stopped');
  });

  it('fails the start of a lab whose prepare script fails, with its output', async () => {
    const lab = platform.app.labs.lab('prepare-fails')!;
    const session = platform.sessions.create(lab);
    await session.provisioned;
    assert.equal(session.state, 'failed');
    assert.match(
      `${session.message}\n${session.failure ?? ''}`,
      /prepare script prepare\.sh of lab prepare-fails failed \(exit 3\)[\s\S]*the package mirror is down/,
    );
  });

  it('refuses a prepared state that holds a container: every learner would get it', async () => {
    const lab = platform.app.labs.lab('prepare-leaves-container')!;
    const session = platform.sessions.create(lab);
    await session.provisioned;
    assert.equal(session.state, 'failed');
    assert.match(
      `${session.message}\n${session.failure ?? ''}`,
      /prepare script prepare\.sh of lab prepare-leaves-container left containers in the engine/,
    );
    const saved = readdirSync(join(root, 'state', 'engine-states'));
    assert.ok(
      !saved.some((f) => f.startsWith('prepare-leaves-container-')),
      `no state saved for it: ${saved.join(', ')}`,
    );
  });
});
