/**
 * Classes over HTTP, against the real app and store (SQLite here, PostgreSQL in
 * the lane that sets DRYDOCK_TEST_STORE_URL) with in-memory sandboxes: an
 * instructor creates a class (and its first lab is reserved warm), learners see
 * what a code opens and join with a display name, keep their membership, start
 * sandboxes past the per-address limit as members, and lose them when the class
 * ends. Every refusal: not signed in, the wrong role, another instructor's
 * class, each invalid field, a wrong, expired or ended code, too many guesses.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { JOIN_CODE_ALPHABET, normalizeJoinCode } from '../../protocol/classes.ts';
import { newJoinCode } from '../../lab-server/classes/join-code.ts';
import { WRONG_CODES_PER_ADDRESS } from '../../lab-server/routes/classes.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const PASSWORD = 'a long enough passphrase';
const HOUR = 3_600_000;

let addresses = 0;
/** A client address of its own, so one test's guesses do not count against another's. */
const freshIp = () => `10.7.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;
const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
/** A learner identity as the browser makes it (22 base64url characters). */
const newLearner = () => randomBytes(16).toString('base64url');

const classBody = (extra: Record<string, unknown> = {}) => ({
  name: 'Docker basics, morning group',
  labs: ['tiny-lab', 'other-lab'],
  opensAt: new Date(Date.now() + HOUR).toISOString(),
  closesAt: new Date(Date.now() + 3 * HOUR).toISOString(),
  expectedSize: 3,
  ...extra,
});

describe('classes over HTTP', () => {
  let platform: FakePlatform;
  let app: FastifyInstance;

  /** A signed-in user of this role: the cookie their browser would send. */
  const staff = async (role: 'admin' | 'instructor' | 'assistant') => {
    const username = unique(role);
    await app.accounts.users.add({ username, role, displayName: username, password: PASSWORD });
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: freshIp(),
      payload: { username, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };
  const as = (cookie: string | undefined, options: InjectOptions) =>
    app.inject({
      remoteAddress: freshIp(),
      ...options,
      headers: { ...(cookie ? { cookie } : {}), ...options.headers },
    });
  /** Every class made here: ended when the suite ends (a PostgreSQL lane shares its database). */
  const made: string[] = [];
  const create = async (cookie: string | undefined, body: object = classBody()) => {
    const res = await as(cookie, { method: 'POST', url: '/api/classes', payload: body });
    if (res.statusCode === 201) made.push(res.json().id);
    return res;
  };
  const join = (code: string, displayName: string, learner?: string, ip = freshIp()) =>
    app.inject({
      method: 'POST',
      url: '/api/join',
      remoteAddress: ip,
      headers: learner ? { 'x-drydock-learner': learner } : {},
      payload: { code, displayName },
    });
  const start = (learner: string, ip: string, lab = 'tiny-lab') =>
    app.inject({
      method: 'POST',
      url: '/api/sessions',
      remoteAddress: ip,
      headers: { 'x-drydock-learner': learner },
      payload: { lab },
    });

  let instructor: string;
  let other: string;
  let admin: string;
  before(async () => {
    platform = await startFakePlatform(
      { DRYDOCK_SESSIONS_PER_ADDRESS: '2', DRYDOCK_MAX_SANDBOXES: '20', DRYDOCK_WARM_MAX: '4' },
      { otherLab: true },
    );
    app = platform.app;
    instructor = await staff('instructor');
    other = await staff('instructor');
    admin = await staff('admin');
  });
  after(async () => {
    for (const id of made) await app.store.classes.endClass(id, Date.now());
    await platform.close();
  });

  it('creates a class with a join code and link, and reserves its first lab warm by its opening', async () => {
    const body = classBody({ expectedSize: 6 });
    const res = await create(instructor, body);
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json();
    assert.match(created.id, /^c_[A-Za-z0-9_-]{12}$/);
    assert.equal(created.name, body.name);
    assert.deepEqual(created.labs, [
      { slug: 'tiny-lab', title: 'A tiny lab' },
      { slug: 'other-lab', title: 'A tiny lab' },
    ]);
    assert.equal(created.state, 'upcoming');
    assert.equal(created.members, 0);
    assert.equal(created.owner.startsWith('instructor-'), true);
    assert.match(created.joinCode, new RegExp(`^[${JOIN_CODE_ALPHABET}]{8}$`));
    assert.equal(created.joinPath, `/join/?code=${created.joinCode}`);

    const pool = app.pool.status().find((p) => p.lab === 'tiny-lab');
    // Capped by DRYDOCK_WARM_MAX (4), ready by the class's opening; later labs are not reserved.
    assert.equal(pool?.reserved?.size, 4);
    // By the earliest opening of the classes that start with this lab.
    assert.ok(Date.parse(String(pool?.reserved?.readyBy)) <= Date.parse(body.opensAt));
    assert.equal(app.pool.status().find((p) => p.lab === 'other-lab')?.reserved, undefined);
  });

  it('gives every class a different code of 8 unambiguous symbols', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 10; i++) codes.add((await create(instructor)).json().joinCode);
    assert.equal(codes.size, 10);
    assert.ok([...codes].every((c) => !/[ILOU]/.test(c)));
  });

  it('shows an instructor only their own classes, and an admin every class', async () => {
    const mine = (await create(instructor)).json();
    const theirs = (await create(other)).json();
    const listOf = async (cookie: string) =>
      (await as(cookie, { url: '/api/classes' }))
        .json<{ classes: { id: string }[] }>()
        .classes.map((c) => c.id);
    assert.ok((await listOf(instructor)).includes(mine.id));
    assert.ok(!(await listOf(instructor)).includes(theirs.id));
    const all = await listOf(admin);
    assert.ok(all.includes(mine.id) && all.includes(theirs.id));

    for (const [method, url] of [
      ['GET', `/api/classes/${theirs.id}`],
      ['POST', `/api/classes/${theirs.id}/end`],
    ] as const) {
      const res = await as(instructor, { method, url });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().error.code, 'CLASS_NOT_FOUND');
    }
    assert.equal((await as(admin, { url: `/api/classes/${theirs.id}` })).statusCode, 200);
    assert.equal((await as(instructor, { url: '/api/classes/c_nonexistent0' })).statusCode, 404);
  });

  it('refuses anyone not signed in (401), and an assistant creating a class (403), before reading the body', async () => {
    const assistant = await staff('assistant');
    const id = (await create(instructor)).json().id;
    for (const [method, url, payload] of [
      ['POST', '/api/classes', { nonsense: true }],
      ['GET', '/api/classes', undefined],
      ['GET', `/api/classes/${id}`, undefined],
      ['POST', `/api/classes/${id}/end`, undefined],
    ] as const) {
      const stranger = await as(undefined, { method, url, ...(payload ? { payload } : {}) });
      assert.equal(stranger.statusCode, 401, `${method} ${url}`);
      assert.equal(stranger.json().error.code, 'NOT_SIGNED_IN');
    }
    const helper = await as(assistant, {
      method: 'POST',
      url: '/api/classes',
      payload: { nonsense: true },
    });
    assert.equal(helper.statusCode, 403);
    assert.equal(helper.json().error.code, 'ROLE_REQUIRED');
    // An assistant nobody granted a class sees none (class-staff-api.test.ts has the grants).
    assert.deepEqual((await as(assistant, { url: '/api/classes' })).json(), { classes: [] });
    const notGranted = await as(assistant, { url: `/api/classes/${id}` });
    assert.equal(notGranted.statusCode, 404);
    assert.equal(notGranted.json().error.code, 'CLASS_NOT_FOUND');
    const fromElsewhere = await as(instructor, {
      method: 'POST',
      url: '/api/classes',
      headers: { origin: 'https://evil.example' },
      payload: classBody(),
    });
    assert.equal(fromElsewhere.statusCode, 403);
    assert.equal(fromElsewhere.json().error.code, 'ORIGIN_REFUSED');
  });

  it('refuses an invalid class with 400 naming the field', async () => {
    const now = Date.now();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'line\nbreak' }, 'name'],
      [{ labs: [] }, 'labs'],
      [{ labs: ['tiny-lab', 'no-such-lab'] }, 'labs'],
      [{ labs: ['tiny-lab', 'tiny-lab'] }, 'labs'],
      [{ closesAt: new Date(now + HOUR / 2).toISOString() }, 'closesAt'],
      [
        {
          opensAt: new Date(now - 3 * HOUR).toISOString(),
          closesAt: new Date(now - HOUR).toISOString(),
        },
        'closesAt',
      ],
      [{ expectedSize: 0 }, 'expectedSize'],
      [{ expectedSize: 21 }, 'expectedSize'],
      [{ expectedSize: 2.5 }, 'expectedSize'],
      [{ opensAt: 'tomorrow morning' }, 'opensAt'],
      [{ name: undefined }, 'name'],
    ];
    for (const [change, field] of cases) {
      const res = await create(instructor, classBody(change));
      assert.equal(res.statusCode, 400, `${JSON.stringify(change)}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.equal(res.json().error.field, field, JSON.stringify(change));
    }
    assert.match(
      (await create(instructor, classBody({ expectedSize: 21 }))).json().error.message,
      /DRYDOCK_MAX_SANDBOXES/,
    );
  });

  it('lets a learner see what a code opens, join with a display name, and keep their place', async () => {
    const created = (await create(instructor)).json();
    const typed = `${created.joinCode.slice(0, 4).toLowerCase()}-${created.joinCode.slice(4)}`;
    const preview = await app.inject({ url: `/api/join/${typed}`, remoteAddress: freshIp() });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.deepEqual(Object.keys(preview.json()).sort(), [
      'closesAt',
      'labs',
      'name',
      'opensAt',
      'state',
    ]);

    const learner = newLearner();
    const hostile = '  <img src=x onerror=alert(1)> Zoë 🐳 ';
    const first = await join(typed, hostile, learner);
    assert.equal(first.statusCode, 200, first.body);
    const membership = first.json();
    assert.equal(membership.displayName, '<img src=x onerror=alert(1)> Zoë 🐳', 'trimmed, as text');
    assert.equal(membership.code, created.joinCode);
    assert.equal(membership.class.name, created.name);
    assert.match(membership.id, /^m_/);

    const again = await join(created.joinCode, 'Zoe', learner);
    assert.equal(again.json().id, membership.id, 'the same browser keeps its membership');
    assert.equal(again.json().joinedAt, membership.joinedAt);
    assert.equal(again.json().displayName, 'Zoe');

    const mine = await app.inject({
      url: '/api/membership',
      remoteAddress: freshIp(),
      headers: { 'x-drydock-learner': learner },
    });
    assert.equal(mine.headers['cache-control'], 'no-store');
    assert.deepEqual(
      mine.json().memberships.map((m: { id: string }) => m.id),
      [membership.id],
    );
    const detail = (await as(instructor, { url: `/api/classes/${created.id}` })).json();
    assert.deepEqual(
      detail.roster.map((m: { displayName: string }) => m.displayName),
      ['Zoe'],
    );
    assert.equal(detail.members, 1);
  });

  it('refuses a join without the browser’s identity or with a bad display name (400 with the field)', async () => {
    const { joinCode } = (await create(instructor)).json();
    const anonymous = await join(joinCode, 'Ann');
    assert.equal(anonymous.statusCode, 400);
    assert.equal(anonymous.json().error.field, 'x-drydock-learner');
    for (const name of ['', '   ', 'a'.repeat(41), 'bell\u0007', 'two\nlines', 'tab\there']) {
      const res = await join(joinCode, name, newLearner());
      assert.equal(res.statusCode, 400, JSON.stringify(name));
      assert.equal(res.json().error.field, 'displayName', JSON.stringify(name));
    }
    assert.equal((await join(joinCode, '🐳'.repeat(40), newLearner())).statusCode, 200);
    const noIdentity = await app.inject({ url: '/api/membership', remoteAddress: freshIp() });
    assert.equal(noIdentity.statusCode, 400);
  });

  it('answers 404 for a code no class has, and 410 for an ended class or one whose window closed', async () => {
    const wrong = await join('ZZZZ-ZZZZ', 'Ann', newLearner());
    assert.equal(wrong.statusCode, 404);
    assert.equal(wrong.json().error.code, 'JOIN_CODE_UNKNOWN');
    assert.equal(
      (await app.inject({ url: '/api/join/nonsense', remoteAddress: freshIp() })).statusCode,
      404,
    );

    const ended = (await create(instructor)).json();
    await as(instructor, { method: 'POST', url: `/api/classes/${ended.id}/end` });
    const late = (await app.store.classes.classById(ended.id))!;
    // Made in the store: the API refuses a window already over. Unique: a PostgreSQL lane shares one database.
    const pastCode = newJoinCode();
    await app.store.classes.addClass({
      ...late,
      id: `c_${randomBytes(9).toString('base64url')}`,
      joinCode: pastCode,
      opensAt: Date.now() - 3 * HOUR,
      closesAt: Date.now() - HOUR,
      endedAt: null,
    });
    for (const code of [ended.joinCode, pastCode]) {
      for (const res of [
        await join(code, 'Ann', newLearner()),
        await app.inject({ url: `/api/join/${code}`, remoteAddress: freshIp() }),
      ]) {
        assert.equal(res.statusCode, 410, code);
        assert.equal(res.json().error.code, 'CLASS_CLOSED');
      }
    }
  });

  it(`refuses an address after ${WRONG_CODES_PER_ADDRESS} wrong codes (429), right codes not counted`, async () => {
    const { joinCode } = (await create(instructor)).json();
    const ip = freshIp();
    for (let i = 0; i < 5; i++)
      assert.equal((await join(joinCode, 'Ann', newLearner(), ip)).statusCode, 200);
    for (let i = 0; i < WRONG_CODES_PER_ADDRESS; i++) {
      const guess = await join(`WRNG${String(i).padStart(4, '0')}`, 'Eve', newLearner(), ip);
      assert.equal(guess.statusCode, 404, `guess ${i}`);
    }
    const refused = await join(joinCode, 'Ann', newLearner(), ip);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const peek = await app.inject({ url: `/api/join/${joinCode}`, remoteAddress: ip });
    assert.equal(peek.statusCode, 429);
    assert.equal((await join(joinCode, 'Bob', newLearner(), freshIp())).statusCode, 200);
  });

  it('lets members of a class past the per-address limit, not others, and ends their sandboxes with the class', async () => {
    const created = (await create(instructor, classBody({ expectedSize: 5 }))).json();
    const room = freshIp();
    const members = Array.from({ length: 4 }, newLearner);
    for (const [i, learner] of members.entries())
      assert.equal((await join(created.joinCode, `Learner ${i}`, learner, room)).statusCode, 200);
    const sessions: string[] = [];
    for (const learner of members) {
      const res = await start(learner, room);
      assert.equal(res.statusCode, 201, res.body);
      sessions.push(res.json().id);
    }
    // DRYDOCK_SESSIONS_PER_ADDRESS is 2: a stranger at the same address is still held to it.
    const stranger = await start(newLearner(), room);
    assert.equal(stranger.statusCode, 429);
    assert.equal(stranger.json().error.code, 'TOO_MANY_SESSIONS');
    const elsewhere = await start(members[0]!, room, 'other-lab');
    assert.equal(elsewhere.statusCode, 201, 'a member’s second lab');
    const ids = [...sessions, elsewhere.json().id];
    const sandboxes = ids.map((id) => app.sessions.find(id)!.sandbox!.id);
    assert.ok(sandboxes.every((id) => platform.provider.live.has(id)));

    const res = await as(instructor, { method: 'POST', url: `/api/classes/${created.id}/end` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().sessionsEnded, 5);
    assert.equal(res.json().class.state, 'ended');
    for (const id of ids) {
      const session = app.sessions.find(id)!;
      assert.equal(session.state, 'ended');
      assert.equal(session.endReason, 'class');
    }
    assert.ok(
      sandboxes.every((id) => !platform.provider.live.has(id)),
      'their sandboxes are removed',
    );
    assert.equal(
      app.pool.status().find((p) => p.lab === 'tiny-lab')?.reserved?.size,
      4,
      'other classes still hold it',
    );

    const twice = await as(instructor, { method: 'POST', url: `/api/classes/${created.id}/end` });
    assert.equal(twice.json().sessionsEnded, 0);
    // No longer a member of a current class: the per-address limit applies again.
    assert.equal((await start(members[0]!, room)).statusCode, 201);
    assert.equal((await start(members[1]!, room)).statusCode, 201);
    assert.equal((await start(members[2]!, room)).statusCode, 429);
  });

  it('cancels the warm reservation when the last class that wanted it ends, and removes its warm sandboxes at once', async () => {
    const own = await startFakePlatform({}, { otherLab: true });
    try {
      const username = unique('solo');
      const cookie = await (async () => {
        await own.app.accounts.users.add({
          username,
          role: 'instructor',
          displayName: 'Solo',
          password: PASSWORD,
        });
        const res = await own.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in',
          payload: { username, password: PASSWORD },
        });
        return String(res.headers['set-cookie']).split(';')[0]!;
      })();
      const made = await own.app.inject({
        method: 'POST',
        url: '/api/classes',
        headers: { cookie },
        payload: classBody({
          labs: ['other-lab'],
          expectedSize: 2,
          opensAt: new Date().toISOString(),
        }),
      });
      assert.equal(made.statusCode, 201, made.body);
      const status = () => own.app.pool.status().find((p) => p.lab === 'other-lab');
      const reserved = () => status()?.reserved;
      assert.equal(reserved()?.size, 2);
      const deadline = Date.now() + 10_000;
      while (status()?.warm !== 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(status()?.warm, 2, 'warmed for a class that opens now');
      await own.app.inject({
        method: 'POST',
        url: `/api/classes/${made.json().id}/end`,
        headers: { cookie },
      });
      assert.equal(reserved(), undefined);
      assert.equal(status()?.warm, 0, 'an ended class keeps no warm sandbox');
      const gone = Date.now() + 10_000;
      while (own.provider.live.size > 0 && Date.now() < gone)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(own.provider.live.size, 0, 'removed from the engine');
    } finally {
      await own.close();
    }
  });

  it('tidies a typed code the way people mistype it', () => {
    assert.equal(normalizeJoinCode(' abcd-efgh '), 'ABCDEFGH');
    assert.equal(normalizeJoinCode('oil0-1234'), '01101234');
    assert.equal(normalizeJoinCode('ABCD-EFG'), undefined);
    assert.equal(normalizeJoinCode('ABCD-EFGU'), undefined);
  });
});
