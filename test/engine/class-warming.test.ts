/**
 * A class's warm sandboxes in the real engine: a class of 2 opening now gets
 * its first lab warmed to 2 sandboxes; a learner's Start claims one (and the
 * pool does not replace it: that learner has theirs); once the class is past
 * its grace after the opening (DRYDOCK_CLASS_WARM_GRACE, 10 minutes: the
 * classes' clock is moved, not slept through), the sandbox nobody claimed is
 * removed from the engine while the claimed one runs on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { ownerFilter } from '../../lab-server/labels.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';

const LAB = 'container-exits-immediately';
const GRACE_MS = 10 * 60_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a class’s warm sandboxes', () => {
  const docker = new Docker();
  let platform: TestPlatform;
  /** How far the classes' clock is ahead of the real one. */
  let ahead = 0;
  const running = async () =>
    (await docker.listContainers({ filters: ownerFilter(platform.owner) })).map((c) => c.Id);

  before(async () => {
    platform = await startPlatform(
      {
        DRYDOCK_WARM_MAX: '2',
        DRYDOCK_MAX_SANDBOXES: '4',
        // A store of its own: this server warms for every current class in its store,
        // and the shared test store holds other tests' classes.
        DRYDOCK_DATABASE_URL: 'sqlite::memory:',
      },
      { listen: true, parts: { clock: () => Date.now() + ahead } },
    );
  });
  after(async () => {
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('warms the class’s size, and removes the unclaimed one after the grace while the claimed one runs on', async () => {
    const instructor = await signedInStaff(platform, 'instructor', 'Grete');
    const made = await openClass(platform, instructor, [LAB], 'Warm at nine'); // opens now, 2 expected
    const warm = await until(
      'two warm sandboxes',
      async () => {
        const ids = platform.app.pool.containers();
        return ids.length === 2 ? ids : undefined;
      },
      180_000,
    );
    assert.deepEqual((await running()).sort(), [...warm].sort(), 'both are in the engine');

    const learner = `warm-ana-${process.pid}-aaaaaa`;
    await joinClass(platform, made.joinCode, learner, 'Ana');
    const res = await fetch(`${platform.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEARNER_HEADER]: learner },
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const started = (await res.json()) as { id: string; token: string; state: string };
    assert.equal(started.state, 'ready', 'the Start claimed a warm sandbox');
    const session = platform.sessions.get(started.id, started.token);
    await session.provisioned;
    const claimed = session.sandbox!.id;
    assert.ok(warm.includes(claimed));
    const unclaimed = warm.find((id) => id !== claimed)!;

    // Past the pool's quiet time after a claim: the claimed sandbox is not replaced.
    await new Promise((r) => setTimeout(r, 5000));
    assert.deepEqual(platform.app.pool.containers(), [unclaimed]);
    assert.equal(
      (await running()).length,
      2,
      `no third sandbox for a learner who has one (pools: ${JSON.stringify(platform.app.pool.status())})`,
    );

    ahead = GRACE_MS + 1000;
    await until(
      'the unclaimed sandbox removed from the engine',
      async () => ((await running()).includes(unclaimed) ? undefined : true),
      30_000,
    );
    assert.deepEqual(await running(), [claimed], 'the claimed sandbox runs on');
    assert.deepEqual(platform.app.pool.containers(), []);
    assert.equal(session.live, true);
    assert.equal(session.state, 'ready');
    const pool = platform.app.pool.status().find((p) => p.lab === LAB);
    assert.equal(pool?.reserved, undefined, 'the class no longer reserves its lab');
  });
});
