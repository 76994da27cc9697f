/**
 * Who helps in a class, over HTTP, against the real app and store (SQLite here,
 * PostgreSQL in the lane that sets DRYDOCK_TEST_STORE_URL) with in-memory
 * sandboxes. A class's instructor grants an assistant (or another instructor)
 * the class, with or without watching terminals, changes it and takes it back;
 * a helper then sees the class, its roster, progress and live feed, told what
 * they may do, and is refused everything that runs the class (403 with the
 * reason). Every other refusal: not signed in, not the class's instructor, a
 * helper nobody granted the class (404, as if it did not exist), an unknown,
 * disabled or admin account, oneself, the class's own instructor.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import WebSocket from 'ws';
import { CLOSE_NOT_ALLOWED } from '../../protocol/close-codes.ts';
import type { ClassLiveMessage } from '../../protocol/class-progress.ts';
import type { StaffList } from '../../protocol/class-staff.ts';
import type { ClassSummary } from '../../protocol/classes.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const PASSWORD = 'a long enough passphrase';
const TOKEN = 'operator-secret-class-staff-0123456789';
const HOUR = 3_600_000;

let addresses = 0;
const freshIp = () => `10.9.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;
const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

type Role = 'admin' | 'instructor' | 'assistant';
interface Person {
  username: string;
  userId: string;
  cookie: string;
}

describe('who helps in a class, over HTTP', () => {
  let platform: FakePlatform;
  let app: FastifyInstance;
  let url: string;
  const made: string[] = [];

  const person = async (role: Role): Promise<Person> => {
    const username = unique(role);
    const user = await app.accounts.users.add({
      username,
      role,
      displayName: `${username} shown`,
      password: PASSWORD,
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: freshIp(),
      payload: { username, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return { username, userId: user.id, cookie: String(res.headers['set-cookie']).split(';')[0]! };
  };
  const as = (who: Person | undefined, options: InjectOptions) =>
    app.inject({
      remoteAddress: freshIp(),
      ...options,
      headers: { ...(who ? { cookie: who.cookie } : {}), ...options.headers },
    });
  const createClass = async (owner: Person, name = 'Volumes, Thursday'): Promise<string> => {
    const res = await as(owner, {
      method: 'POST',
      url: '/api/classes',
      payload: {
        name,
        labs: ['tiny-lab'],
        opensAt: new Date().toISOString(),
        closesAt: new Date(Date.now() + 2 * HOUR).toISOString(),
        expectedSize: 2,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    made.push(res.json().id);
    return res.json().id as string;
  };
  const grant = (by: Person | undefined, classId: string, username: string, mayWatch?: boolean) =>
    as(by, {
      method: 'POST',
      url: `/api/classes/${classId}/staff`,
      payload: { username, ...(mayWatch === undefined ? {} : { mayWatch }) },
    });
  const refusal = (res: { statusCode: number; json: () => unknown }) => {
    const body = res.json() as { error: { code: string; message: string; field?: string } };
    return { status: res.statusCode, ...body.error };
  };

  let instructor: Person;
  let otherInstructor: Person;
  let admin: Person;
  let helper: Person;
  let stranger: Person;
  let classId: string;
  let memberId: string;
  before(async () => {
    platform = await startFakePlatform({
      DRYDOCK_ADMIN_TOKEN: TOKEN,
      DRYDOCK_MAX_SANDBOXES: '10',
      DRYDOCK_WARM_MAX: '0',
    });
    app = platform.app;
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    instructor = await person('instructor');
    otherInstructor = await person('instructor');
    admin = await person('admin');
    helper = await person('assistant');
    stranger = await person('assistant');
    classId = await createClass(instructor);
    const code = (await as(instructor, { url: `/api/classes/${classId}` })).json().joinCode;
    const joined = await app.inject({
      method: 'POST',
      url: '/api/join',
      remoteAddress: freshIp(),
      headers: { 'x-drydock-learner': randomBytes(16).toString('base64url') },
      payload: { code, displayName: 'Lea' },
    });
    assert.equal(joined.statusCode, 200, joined.body);
    memberId = joined.json().id;
  });
  after(async () => {
    for (const id of made) await app.store.classes.endClass(id, Date.now());
    await platform.close();
  });

  it('lets the instructor grant an assistant the class, see who helps, change it and take it back', async () => {
    const added = await grant(instructor, classId, helper.username.toUpperCase());
    assert.equal(added.statusCode, 201, added.body);
    const [entry] = added.json<StaffList>().staff;
    assert.deepEqual(
      { ...entry, grantedAt: undefined },
      {
        userId: helper.userId,
        username: helper.username,
        displayName: `${helper.username} shown`,
        role: 'assistant',
        mayWatch: false,
        grantedAt: undefined,
      },
    );
    // Granting again sets whether they may watch: 200, still one helper.
    const again = await grant(instructor, classId, helper.username, true);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(
      again.json<StaffList>().staff.map((s) => [s.username, s.mayWatch]),
      [[helper.username, true]],
    );

    const listed = await as(instructor, { url: `/api/classes/${classId}/staff` });
    assert.equal(listed.statusCode, 200);
    assert.equal(listed.json<StaffList>().staff.length, 1);

    const changed = await as(instructor, {
      method: 'PATCH',
      url: `/api/classes/${classId}/staff/${helper.userId}`,
      payload: { mayWatch: false },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json<StaffList>().staff[0]!.mayWatch, false);

    const removed = await as(instructor, {
      method: 'DELETE',
      url: `/api/classes/${classId}/staff/${helper.userId}`,
    });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(removed.json(), { staff: [] });
    assert.equal((await as(helper, { url: `/api/classes/${classId}` })).statusCode, 404);
    assert.deepEqual((await as(helper, { url: '/api/classes' })).json(), { classes: [] });
  });

  it('shows a helper the class read-only: in their list, its roster and progress, saying what they may do', async () => {
    assert.equal((await grant(instructor, classId, helper.username)).statusCode, 201);
    const list = (await as(helper, { url: '/api/classes' })).json();
    assert.deepEqual(
      list.classes.map((c: { id: string; you: unknown }) => [c.id, c.you]),
      [[classId, { role: 'staff', mayWatch: false, mayAct: false }]],
    );
    const detail = await as(helper, { url: `/api/classes/${classId}` });
    assert.equal(detail.statusCode, 200);
    assert.deepEqual(
      detail.json().roster.map((m: { displayName: string }) => m.displayName),
      ['Lea'],
    );
    assert.equal(detail.json().owner, instructor.username);
    const progress = await as(helper, { url: `/api/classes/${classId}/progress` });
    assert.equal(progress.statusCode, 200);
    assert.equal(progress.json().learners[0].displayName, 'Lea');

    // The instructor and an admin are told they run it.
    const yours = (who: Person) =>
      as(who, { url: `/api/classes/${classId}` }).then((r) => r.json<ClassSummary>().you);
    assert.deepEqual(await yours(instructor), { role: 'owner', mayWatch: true, mayAct: true });
    assert.deepEqual(await yours(admin), { role: 'admin', mayWatch: true, mayAct: true });
  });

  it('refuses a helper everything that runs the class (403 CLASS_READ_ONLY, saying who may)', async () => {
    await grant(instructor, classId, helper.username, true);
    const base = `/api/classes/${classId}`;
    for (const [method, path, payload] of [
      ['POST', `${base}/broadcast`, { message: 'Pause here' }],
      ['POST', `${base}/members/${memberId}/reset`, {}],
      ['POST', `${base}/members/${memberId}/end`, {}],
      ['POST', `${base}/members/${memberId}/extend`, {}],
      ['DELETE', `${base}/members/${memberId}`, undefined],
      ['GET', `${base}/results.csv`, undefined],
      ['POST', `${base}/end`, undefined],
      ['GET', `${base}/staff`, undefined],
      ['POST', `${base}/staff`, { username: stranger.username }],
      ['PATCH', `${base}/staff/${helper.userId}`, { mayWatch: true }],
      ['DELETE', `${base}/staff/${helper.userId}`, undefined],
    ] as const) {
      const res = await as(helper, { method, url: path, ...(payload ? { payload } : {}) });
      const refused = refusal(res);
      assert.equal(refused.status, 403, `${method} ${path}: ${res.body}`);
      assert.equal(refused.code, 'CLASS_READ_ONLY');
      assert.match(
        refused.message,
        /^You help in “Volumes, Thursday”: only its instructor or an admin may /,
      );
    }
    // Nothing of it happened.
    assert.equal((await as(instructor, { url: base })).json().state, 'open');
    assert.equal((await as(instructor, { url: base })).json().members, 1);
    assert.equal((await as(instructor, { url: `${base}/staff` })).json().staff.length, 1);
  });

  it('gives another instructor granted the class a helper’s rights there, and the owner’s in their own', async () => {
    const theirs = await createClass(otherInstructor, 'Their own class');
    assert.equal(
      (await grant(instructor, classId, otherInstructor.username, true)).statusCode,
      201,
    );
    const list = (await as(otherInstructor, { url: '/api/classes' })).json();
    assert.deepEqual(
      list.classes.map((c: { id: string; you: { role: string } }) => [c.id, c.you.role]),
      [
        [theirs, 'owner'],
        [classId, 'staff'],
      ],
    );
    const refused = await as(otherInstructor, {
      method: 'POST',
      url: `/api/classes/${classId}/end`,
    });
    assert.equal(refusal(refused).code, 'CLASS_READ_ONLY');
    // …and may not grant others the class they only help in.
    assert.equal(refusal(await grant(otherInstructor, classId, stranger.username)).status, 403);
    await as(instructor, {
      method: 'DELETE',
      url: `/api/classes/${classId}/staff/${otherInstructor.userId}`,
    });
  });

  it('refuses a helper nobody granted the class as if it did not exist (404), everywhere', async () => {
    const base = `/api/classes/${classId}`;
    for (const [method, path, payload] of [
      ['GET', base, undefined],
      ['GET', `${base}/progress`, undefined],
      ['POST', `${base}/broadcast`, { message: 'Hello' }],
      ['GET', `${base}/results.csv`, undefined],
      ['GET', `${base}/staff`, undefined],
      ['POST', `${base}/staff`, { username: stranger.username }],
      ['DELETE', `${base}/staff/${helper.userId}`, undefined],
      ['POST', `${base}/end`, undefined],
    ] as const) {
      const res = await as(stranger, { method, url: path, ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 404, `${method} ${path}: ${res.body}`);
      assert.equal(refusal(res).code, 'CLASS_NOT_FOUND');
    }
    const unknown = await as(stranger, { url: '/api/classes/c_nosuchclass0' });
    assert.deepEqual(
      refusal(unknown).message,
      (await as(stranger, { url: base })).json().error.message.replace(classId, 'c_nosuchclass0'),
    );
  });

  it('refuses a grant by anyone not signed in (401) or not running the class (404)', async () => {
    const res = await grant(undefined, classId, stranger.username);
    assert.equal(refusal(res).status, 401);
    assert.equal(refusal(res).code, 'NOT_SIGNED_IN');
    const other = await grant(otherInstructor, classId, stranger.username);
    assert.equal(refusal(other).status, 404);
    assert.equal(refusal(other).code, 'CLASS_NOT_FOUND');
    // An admin runs every class, and may.
    const byAdmin = await grant(admin, classId, stranger.username);
    assert.equal(byAdmin.statusCode, 201, byAdmin.body);
    await as(admin, { method: 'DELETE', url: `/api/classes/${classId}/staff/${stranger.userId}` });
  });

  it('refuses to grant an unknown, malformed, disabled or admin account, oneself or the class’s instructor (400 naming the username)', async () => {
    const disabled = await person('assistant');
    await app.accounts.users.setDisabled(disabled.username, true);
    const cases: [Person, string, RegExp][] = [
      [
        instructor,
        unique('nobody'),
        /^There is no staff account called nobody-\w+\. The operator makes one/,
      ],
      [instructor, 'Not a username!', /is not a username/],
      [instructor, disabled.username, /account is disabled: ask the operator to enable it first/],
      [instructor, admin.username, /is an admin, who sees and runs every class already/],
      [instructor, instructor.username, /^That is you: you run this class already/],
      [admin, instructor.username, /is this class’s instructor, who runs it already/],
    ];
    for (const [by, username, reason] of cases) {
      const res = await grant(by, classId, username);
      const refused = refusal(res);
      assert.equal(refused.status, 400, `${username}: ${res.body}`);
      assert.equal(refused.code, 'BAD_REQUEST');
      assert.equal(refused.field, 'username');
      assert.match(refused.message, reason);
    }
    assert.deepEqual(
      (await as(instructor, { url: `/api/classes/${classId}/staff` }))
        .json()
        .staff.map((s: { username: string }) => s.username),
      [helper.username],
    );
  });

  it('refuses a malformed body or user id (400), and a change or removal of someone not helping (404)', async () => {
    const base = `/api/classes/${classId}/staff`;
    for (const payload of [
      {},
      { username: helper.username, mayWatch: 'yes' },
      { username: helper.username, extra: 1 },
    ]) {
      const res = await as(instructor, { method: 'POST', url: base, payload });
      assert.equal(refusal(res).status, 400, JSON.stringify(payload));
    }
    const patchBad = await as(instructor, {
      method: 'PATCH',
      url: `${base}/${helper.userId}`,
      payload: {},
    });
    assert.equal(refusal(patchBad).status, 400);
    const badId = await as(instructor, { method: 'DELETE', url: `${base}/not-a-user-id` });
    assert.equal(refusal(badId).status, 400);
    for (const method of ['PATCH', 'DELETE'] as const) {
      const res = await as(instructor, {
        method,
        url: `${base}/${stranger.userId}`,
        ...(method === 'PATCH' ? { payload: { mayWatch: true } } : {}),
      });
      assert.equal(refusal(res).status, 404, `${method}: ${res.body}`);
      assert.equal(refusal(res).code, 'CLASS_NOT_FOUND');
      assert.match(refusal(res).message, /helps in “Volumes, Thursday”/);
    }
  });

  it('lets the operator’s admin API see and change who helps', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const res = await app.inject({
      method: 'POST',
      url: `/api/admin/classes/${classId}/staff`,
      headers,
      payload: { username: stranger.username, mayWatch: true },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(
      (await app.store.classes.staffGrant(classId, stranger.userId))?.grantedBy,
      null,
      'the operator is no account',
    );
    await app.inject({
      method: 'DELETE',
      url: `/api/admin/classes/${classId}/staff/${stranger.userId}`,
      headers,
    });
  });

  it('tells a helper on the live feed what they may do, and closes them out once taken off the class', async () => {
    await grant(instructor, classId, helper.username, false);
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/classes/${classId}/live`, {
      headers: { origin: url, cookie: helper.cookie },
    });
    const messages: ClassLiveMessage[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data: Buffer) =>
      messages.push(JSON.parse(data.toString('utf8')) as ClassLiveMessage),
    );
    const waitFor = async (test: () => boolean) => {
      const deadline = Date.now() + 8000;
      while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(test(), JSON.stringify(messages.map((m) => m.you)));
    };
    await waitFor(() => messages.length > 0);
    assert.deepEqual(messages[0]!.you, { role: 'staff', mayWatch: false, mayAct: false });
    assert.equal(messages[0]!.progress.learners[0]!.displayName, 'Lea');

    await grant(instructor, classId, helper.username, true);
    await waitFor(() => messages.at(-1)!.you.mayWatch);
    await as(instructor, {
      method: 'DELETE',
      url: `/api/classes/${classId}/staff/${helper.userId}`,
    });
    assert.equal(await closed, CLOSE_NOT_ALLOWED);
  });
});
