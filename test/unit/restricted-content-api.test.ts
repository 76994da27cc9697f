/**
 * Content kept for some sign-in groups (docs/content-visibility.md), over HTTP on
 * a real app with the test content pack (test/fixtures/content-pack: the lab
 * payments-worker-stopped and the lesson payments-worker-runbook are for
 * platform-team; the lesson acme-image-conventions is public) and a stand-in for
 * the built site. For anyone not signed in with the group (nobody, a learner in
 * other groups, an instructor outside it) the lab and the lesson are absent: their
 * pages answer as a page that does not exist, and every API that lists or takes a
 * lab answers as for an unknown slug. A member gets them, never from a shared
 * cache. A learner account grants nothing of staff's.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../protocol/accounts.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import { ROOT } from '../support/platform.ts';

const PACK = join(ROOT, 'test/fixtures/content-pack');
const LAB = 'payments-worker-stopped';
const RUNBOOK = '/lessons/payments-worker-runbook/';
const PASSWORD = 'a long enough passphrase';
const HOUR = 3_600_000;

const page = (title: string) =>
  `<!doctype html><html lang="en"><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
const withCopies = (path: string, html: string) => ({
  [path]: html,
  [`${path}.br`]: brotliCompressSync(html),
  [`${path}.gz`]: gzipSync(html),
});
const SITE = {
  ...withCopies('404.html', page('Page not found')),
  ...withCopies('labs/index.html', page('Labs')),
  ...withCopies(
    `labs/${LAB}/index.html`,
    page('The payments worker was deployed but never started'),
  ),
  ...withCopies('lessons/payments-worker-runbook/index.html', page('Runbook')),
  ...withCopies('lessons/acme-image-conventions/index.html', page('How Acme tags its images')),
};

let addresses = 0;
const freshIp = () => `10.9.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

describe('content kept for some sign-in groups', () => {
  let platform: FakePlatform;
  const as = (cookie: string | undefined, options: InjectOptions) =>
    platform.app.inject({
      remoteAddress: freshIp(),
      ...options,
      headers: { ...(cookie ? { cookie } : {}), ...options.headers },
    });
  /** A local account of this role and these groups, signed in: the cookie its browser sends. */
  const account = async (role: Role, groups: string[]) => {
    const username = `${role}-${randomBytes(3).toString('hex')}`;
    await platform.app.accounts.users.add({ username, role, password: PASSWORD, groups });
    const res = await as(undefined, {
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return { username, cookie: String(res.headers['set-cookie']).split(';')[0]! };
  };

  let member: string;
  let memberName: string;
  let outsider: string;
  let instructorOutside: string;
  let instructorInside: string;
  let admin: string;
  /** Everyone who may not see the lab: nobody signed in, a learner and an instructor of other groups. */
  let strangers: [string, string | undefined][];
  const classes: string[] = [];

  before(async () => {
    platform = await startFakePlatform(
      { DRYDOCK_CONTENT: PACK, DRYDOCK_MAX_SANDBOXES: '20' },
      { site: SITE },
    );
    ({ cookie: member, username: memberName } = await account('learner', ['platform-team']));
    ({ cookie: outsider } = await account('learner', ['payments']));
    ({ cookie: instructorOutside } = await account('instructor', ['trainers']));
    ({ cookie: instructorInside } = await account('instructor', ['platform-team']));
    ({ cookie: admin } = await account('admin', []));
    strangers = [
      ['nobody signed in', undefined],
      ['a learner of another group', outsider],
      ['an instructor outside the group', instructorOutside],
    ];
  });
  after(async () => {
    for (const id of classes) await platform.app.store.classes.endClass(id, Date.now());
    await platform.close();
  });

  /** What matters of a page's answer to a reader: everything but the moment it was sent. */
  const shape = (res: LightMyRequestResponse) => {
    const { date: _date, 'x-ratelimit-reset': _reset, ...headers } = res.headers;
    return { status: res.statusCode, headers, body: res.rawPayload.toString('base64') };
  };

  describe('the pages', () => {
    const spellings = [
      `/labs/${LAB}/`,
      `/labs/${LAB}`,
      `/labs/${LAB}/index.html`,
      `/labs/${LAB}/index.html.br`,
      `/labs/${LAB}/index.html.gz`,
      `/LABS/${LAB.toUpperCase()}/`,
      `/labs/${LAB.replace(/-/g, '%2D')}/`,
      `/labs%2F${LAB}/`,
      `//labs//${LAB}/`,
      `/lessons/../labs/${LAB}/`,
      RUNBOOK,
      `${RUNBOOK}index.html`,
      RUNBOOK.slice(0, -1),
    ];

    it('answer anyone outside the group exactly as a page that does not exist', async () => {
      for (const encoding of ['br', 'identity']) {
        const missing = shape(
          await as(undefined, {
            url: '/labs/no-such-lab/',
            headers: { 'accept-encoding': encoding },
          }),
        );
        assert.equal(missing.status, 404);
        for (const [who, cookie] of strangers)
          for (const url of spellings) {
            const res = await as(cookie, { url, headers: { 'accept-encoding': encoding } });
            assert.deepEqual(shape(res), missing, `${url} for ${who} (${encoding})`);
          }
      }
    });

    it('are served to a member, never to be kept by a shared cache', async () => {
      for (const cookie of [member, instructorInside, admin]) {
        for (const url of [`/labs/${LAB}/`, RUNBOOK]) {
          const res = await as(cookie, { url, headers: { 'accept-encoding': 'br' } });
          assert.equal(res.statusCode, 200, url);
          assert.equal(res.headers['content-encoding'], 'br');
          assert.equal(res.headers['cache-control'], 'private, no-store', url);
        }
        const bare = await as(cookie, { url: `/labs/${LAB}` });
        assert.equal(bare.statusCode, 301, 'the folder redirects to its page, as any folder');
        assert.equal(bare.headers['cache-control'], 'private, no-store');
      }
    });

    it('leave public pages as they were, for everyone', async () => {
      for (const url of ['/lessons/acme-image-conventions/', '/labs/']) {
        const res = await as(undefined, { url });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.headers['cache-control'], 'no-cache', url);
      }
    });
  });

  describe('the API', () => {
    const slugs = async (cookie: string | undefined) =>
      (await as(cookie, { url: '/api/labs' })).json<{ slug: string }[]>().map((lab) => lab.slug);
    /** A refusal's body with the slug it names replaced: an unknown lab's must read the same. */
    const refusal = (res: LightMyRequestResponse, slug: string) => ({
      status: res.statusCode,
      body: res.body.replaceAll(slug, '<slug>'),
    });

    it('lists the lab only to members', async () => {
      for (const [who, cookie] of strangers) {
        const labs = await slugs(cookie);
        assert.ok(labs.includes('tiny-lab'), who);
        assert.ok(!labs.includes(LAB), `${who} is not shown ${LAB}`);
      }
      for (const cookie of [member, instructorInside, admin])
        assert.ok((await slugs(cookie)).includes(LAB));
    });

    it('answers a lookup or a Start of the lab as for a lab that does not exist', async () => {
      const lookup = (cookie: string | undefined, slug: string) =>
        as(cookie, { url: `/api/labs/${slug}` });
      const start = (cookie: string | undefined, slug: string) =>
        as(cookie, { method: 'POST', url: '/api/sessions', payload: { lab: slug } });
      for (const ask of [lookup, start]) {
        const unknown = refusal(await ask(undefined, 'no-such-lab'), 'no-such-lab');
        assert.equal(unknown.status, 404);
        assert.match(unknown.body, /LAB_NOT_FOUND/);
        for (const [who, cookie] of strangers)
          assert.deepEqual(refusal(await ask(cookie, LAB), LAB), unknown, `${ask.name} by ${who}`);
      }
      assert.equal(
        (await lookup(member, LAB)).json<{ title: string }>().title,
        'The payments worker was deployed but never started',
      );
    });

    it('lets a member start the lab, and keeps their session working after they leave the group', async () => {
      const res = await as(member, { method: 'POST', url: '/api/sessions', payload: { lab: LAB } });
      assert.equal(res.statusCode, 201, res.body);
      const { id, token } = res.json<{ id: string; token: string }>();
      const user = await platform.app.store.accounts.userByName(memberName);
      await platform.app.store.accounts.updateUser(user!.id, { groups: [], updatedAt: Date.now() });
      const later = await as(member, {
        url: `/api/sessions/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(later.statusCode, 200, later.body);
      assert.equal(later.json<{ lab: string }>().lab, LAB);
      assert.ok(!(await slugs(member)).includes(LAB), 'but the lab is no longer listed for them');
      await platform.app.store.accounts.updateUser(user!.id, {
        groups: ['platform-team'],
        updatedAt: Date.now(),
      });
      await as(member, {
        method: 'DELETE',
        url: `/api/sessions/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
    });

    it('leaves the lab out of the status’s unsupported labs for anyone outside the group', async () => {
      const before = platform.backend.status;
      platform.backend.status = {
        available: true,
        state: 'ready',
        unsupported: { [LAB]: 'no memory limits here', 'tiny-lab': 'no memory limits here' },
      };
      try {
        const unsupported = async (cookie: string | undefined) =>
          Object.keys((await as(cookie, { url: '/api/status' })).json().labs.unsupported ?? {});
        assert.deepEqual(await unsupported(undefined), ['tiny-lab']);
        assert.deepEqual(await unsupported(member), [LAB, 'tiny-lab']);
      } finally {
        platform.backend.status = before;
      }
    });

    it('answers an instructor outside the group as if the lab did not exist: figures, classes, capacity', async () => {
      const stats = await as(instructorOutside, { url: '/api/labs/stats' });
      assert.equal(stats.statusCode, 200);
      assert.ok(!stats.json<{ labs: { lab: string }[] }>().labs.some((l) => l.lab === LAB));
      assert.deepEqual(
        refusal(await as(instructorOutside, { url: `/api/labs/${LAB}/stats` }), LAB),
        refusal(await as(instructorOutside, { url: '/api/labs/no-such-lab/stats' }), 'no-such-lab'),
      );
      const insideStats = await as(instructorInside, { url: `/api/labs/${LAB}/stats` });
      assert.equal(insideStats.statusCode, 200, insideStats.body);

      const body = (lab: string) => ({
        name: 'Platform on-call drill',
        labs: ['tiny-lab', lab],
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + HOUR).toISOString(),
        expectedSize: 2,
      });
      const create = (cookie: string, lab: string) =>
        as(cookie, { method: 'POST', url: '/api/classes', payload: body(lab) });
      const capacity = (cookie: string, lab: string) =>
        as(cookie, { url: `/api/classes/capacity?labs=tiny-lab,${lab}&size=2` });
      for (const ask of [create, capacity]) {
        const unknown = refusal(await ask(instructorOutside, 'no-such-lab'), 'no-such-lab');
        assert.equal(unknown.status, 400, unknown.body);
        assert.match(unknown.body, /No lab is called/);
        assert.deepEqual(refusal(await ask(instructorOutside, LAB), LAB), unknown, ask.name);
      }
      assert.equal((await capacity(instructorInside, LAB)).statusCode, 200);
      const created = await create(instructorInside, LAB);
      assert.equal(created.statusCode, 201, created.body);
      const { id, joinCode } = created.json<{ id: string; joinCode: string }>();
      classes.push(id);

      // A class's code shows a learner only the labs they may see.
      const preview = async (cookie: string | undefined) =>
        (await as(cookie, { url: `/api/join/${joinCode}` }))
          .json<{ labs: { slug: string }[] }>()
          .labs.map((l) => l.slug);
      assert.deepEqual(await preview(undefined), ['tiny-lab']);
      assert.deepEqual(await preview(member), ['tiny-lab', LAB]);
    });

    it('tells a member which restricted labs and lessons they may see, and anyone else none', async () => {
      const mine = async (cookie: string | undefined) => {
        const res = await as(cookie, { url: '/api/content/mine' });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['cache-control'], 'private, no-store');
        return res.json<unknown>();
      };
      for (const [who, cookie] of strangers)
        assert.deepEqual(await mine(cookie), { pages: [] }, who);
      assert.deepEqual(await mine(member), {
        pages: [
          {
            kind: 'lab',
            href: `/labs/${LAB}/`,
            title: 'The payments worker was deployed but never started',
          },
          {
            kind: 'lesson',
            href: RUNBOOK,
            title: 'Runbook: the payments worker is not processing',
          },
        ],
      });
    });
  });

  describe('a learner account', () => {
    it('is refused every staff route with 403', async () => {
      for (const [method, url, payload] of [
        ['GET', '/api/classes'],
        ['POST', '/api/classes', {}],
        ['GET', '/api/classes/capacity?labs=tiny-lab&size=2'],
        ['GET', '/api/labs/stats'],
        ['GET', '/api/labs/tiny-lab/stats'],
        ['GET', '/api/admin/sessions'],
        ['GET', '/api/admin/classes'],
      ] as const) {
        const res = await as(member, { method, url, ...(payload ? { payload } : {}) });
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'ROLE_REQUIRED', `${method} ${url}`);
      }
    });

    it('cannot be made a helper of a class', async () => {
      const { username } = await account('learner', ['platform-team']);
      const made = await as(instructorInside, {
        method: 'POST',
        url: '/api/classes',
        payload: {
          name: 'Helpers wanted',
          labs: ['tiny-lab'],
          opensAt: new Date().toISOString(),
          closesAt: new Date(Date.now() + HOUR).toISOString(),
          expectedSize: 2,
        },
      });
      assert.equal(made.statusCode, 201, made.body);
      const { id } = made.json<{ id: string }>();
      classes.push(id);
      const res = await as(instructorInside, {
        method: 'POST',
        url: `/api/classes/${id}/staff`,
        payload: { username },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error.message, /no staff account called/);
    });
  });
});

describe("the dev loop's lab server (DRYDOCK_DEV=1)", () => {
  it('lets its author, signed in or not, see and open every lab of their pack', async () => {
    const dev = await startFakePlatform(
      { DRYDOCK_CONTENT: PACK, DRYDOCK_DEV: '1' },
      { site: SITE },
    );
    try {
      const labs = await dev.app.inject({ url: '/api/labs' });
      assert.ok(labs.json<{ slug: string }[]>().some((l) => l.slug === 'payments-worker-stopped'));
      const lab = await dev.app.inject({ url: '/api/labs/payments-worker-stopped' });
      assert.equal(lab.statusCode, 200, lab.body);
    } finally {
      await dev.close();
    }
  });
});
