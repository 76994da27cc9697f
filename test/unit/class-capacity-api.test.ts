/**
 * "Will it fit?" over HTTP, against the real app and an SQLite store of its own
 * (the classes it makes would otherwise be warmed for by other tests' servers on
 * a shared PostgreSQL, and theirs counted here): the class page asks
 * as an instructor picks labs and a size, and every class not over yet says in
 * its summary whether the machine can hold it, beside the other classes of its
 * window. Planned with DRYDOCK_HOST_MEMORY (no engine here): 11 GiB less the
 * 1 GiB reserve holds 20 sandboxes of 512 MiB, under DRYDOCK_MAX_SANDBOXES=30.
 * Every refusal: not signed in, a learner, an assistant, bad labs or size.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { ClassCapacity, ClassSummary } from '../../protocol/classes.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const PASSWORD = 'a long enough passphrase';
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Weeks ahead, where no class of this suite's other tests is. */
const opens = Date.now() + 20 * DAY + Math.floor(Math.random() * 5 * DAY);
const window = {
  opensAt: new Date(opens).toISOString(),
  closesAt: new Date(opens + 3 * HOUR).toISOString(),
};
const query = (params: Record<string, string>) =>
  `/api/classes/capacity?${new URLSearchParams(params)}`;

describe('whether the machine can hold a class, over HTTP', () => {
  let platform: FakePlatform;
  let app: FastifyInstance;
  let instructor: string;
  const made: string[] = [];

  const staff = async (role: 'admin' | 'instructor' | 'assistant') => {
    const username = `${role}-${randomBytes(3).toString('hex')}`;
    await app.accounts.users.add({ username, role, displayName: username, password: PASSWORD });
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };
  const as = (cookie: string | undefined, options: InjectOptions) =>
    app.inject({ ...options, headers: { ...(cookie ? { cookie } : {}), ...options.headers } });

  before(async () => {
    platform = await startFakePlatform(
      {
        DRYDOCK_MAX_SANDBOXES: '30',
        DRYDOCK_HOST_MEMORY: '11g',
        DRYDOCK_WARM_MAX: '0',
        DRYDOCK_DATABASE_URL: 'sqlite::memory:',
      },
      { otherLab: true },
    );
    app = platform.app;
    instructor = await staff('instructor');
  });
  after(async () => {
    for (const id of made) await app.store.classes.endClass(id, Date.now());
    await platform.close();
  });

  it('says a class fits, naming the binding limit beside the other', async () => {
    const res = await as(instructor, {
      url: query({ labs: 'tiny-lab,other-lab', size: '12', ...window }),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const fit = res.json<ClassCapacity>();
    assert.equal(fit.fits, true);
    assert.equal(fit.limitedBy, 'memory');
    assert.equal(fit.sandboxes, 20);
    assert.match(
      fit.summary,
      /^Fits: 12 learners, and 20 sandboxes at once are left for it \(memory: about 20 sandboxes of 512 MiB fit; DRYDOCK_MAX_SANDBOXES=30 allows 30\)/,
    );
  });

  it('says a class does not fit beside another class of its window, with the fix', async () => {
    const created = await as(instructor, {
      method: 'POST',
      url: '/api/classes',
      payload: { name: 'The other group', labs: ['other-lab'], ...window, expectedSize: 15 },
    });
    assert.equal(created.statusCode, 201, created.body);
    made.push(created.json<ClassSummary>().id);
    const tooMany = (
      await as(instructor, { url: query({ labs: 'tiny-lab', size: '12', ...window }) })
    ).json<ClassCapacity>();
    assert.equal(tooMany.fits, false);
    assert.deepEqual(tooMany.overlapping, { classes: 1, learners: 15 });
    assert.match(tooMany.summary, /^Does not fit: 12 learners, but only 5 sandboxes at once/);
    assert.match(tooMany.fix!, /add memory \(about 4 GiB more for 7 more sandboxes\)/);
    assert.match(tooMany.fix!, /move it to a time the other classes do not use/);

    // A day later nothing overlaps it.
    const later = new Date(opens + DAY).toISOString();
    const alone = (
      await as(instructor, { url: query({ labs: 'tiny-lab', size: '12', opensAt: later }) })
    ).json<ClassCapacity>();
    assert.equal(alone.fits, true, 'closes two weeks after it opens when no close is given');

    const list = (await as(instructor, { url: '/api/classes' })).json<{
      classes: ClassSummary[];
    }>();
    const card = list.classes.find((c) => c.id === made[0]);
    assert.equal(card?.capacity?.fits, true, 'its own learners are not counted twice');
    assert.match(card.capacity.summary, /^Fits: 15 learners/);
  });

  it('says nothing about capacity for a class that ended', async () => {
    const created = await as(instructor, {
      method: 'POST',
      url: '/api/classes',
      payload: { name: 'Soon over', labs: ['tiny-lab'], ...window, expectedSize: 2 },
    });
    const id = created.json<ClassSummary>().id;
    assert.ok(created.json<ClassSummary>().capacity, 'a new class says whether it fits');
    const ended = await as(instructor, {
      method: 'POST',
      url: `/api/classes/${id}/end`,
    });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal(ended.json<{ class: ClassSummary }>().class.capacity, undefined);
  });

  it('refuses anyone not signed in (401), a learner (401) and an assistant (403)', async () => {
    const url = query({ labs: 'tiny-lab', size: '3' });
    const stranger = await as(undefined, { url });
    assert.equal(stranger.statusCode, 401);
    assert.equal(stranger.json().error.code, 'NOT_SIGNED_IN');
    const learner = await as(undefined, {
      url,
      headers: { 'x-drydock-learner': randomBytes(16).toString('base64url') },
    });
    assert.equal(learner.statusCode, 401, 'a learner has no account: only staff plan classes');
    const assistant = await as(await staff('assistant'), { url });
    assert.equal(assistant.statusCode, 403);
    assert.equal(assistant.json().error.code, 'ROLE_REQUIRED');
  });

  it('refuses bad labs and sizes with 400 and the reason', async () => {
    const cases: [Record<string, string>, RegExp, string | undefined][] = [
      [{ labs: 'tiny-lab,no-such-lab', size: '3' }, /No lab is called "no-such-lab"/, 'labs'],
      [{ labs: ',', size: '3' }, /No lab is called ""/, 'labs'],
      [{ size: '3' }, /labs/, 'labs'],
      [{ labs: 'tiny-lab', size: '0' }, /at least one learner/, 'size'],
      [{ labs: 'tiny-lab', size: 'thirty' }, /size/, 'size'],
      [{ labs: 'tiny-lab', size: '-3' }, /size/, 'size'],
      [{ labs: 'tiny-lab' }, /size/, 'size'],
      [
        { labs: 'tiny-lab', size: '3', opensAt: window.closesAt, closesAt: window.opensAt },
        /must close after it opens/,
        'closesAt',
      ],
      [{ labs: 'tiny-lab', size: '3', opensAt: 'tomorrow' }, /opensAt/, 'opensAt'],
    ];
    for (const [params, reason, field] of cases) {
      const res = await as(instructor, { url: query(params) });
      assert.equal(res.statusCode, 400, `${JSON.stringify(params)}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, reason, JSON.stringify(params));
      assert.equal(res.json().error.field, field, JSON.stringify(params));
    }
  });
});
