/**
 * A company's engineer signs in through its OpenID provider as a learner and
 * sees what their groups allow (docs/content-visibility.md): against the real
 * test provider (test/support/oidc-provider.ts) and a lab server with the test
 * content pack, whose lab payments-worker-stopped is for platform-team. The
 * groups come from the provider at each sign-in: moved out of the team, the
 * next sign-in no longer shows the lab. A learner is no staff.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { CookieJar, oidcSignIn, visit } from '../support/oidc-sign-in.ts';
import { ROOT } from '../support/platform.ts';

const PUBLIC_URL = 'http://drydock.test:4400/';
const LAB_PAGE = '/labs/payments-worker-stopped/';
const page = (title: string) => `<!doctype html><title>${title}</title>`;

describe('a learner signed in through the OpenID provider', () => {
  let provider: TestProvider;
  let platform: FakePlatform;

  before(async () => {
    provider = await startTestProvider([`${PUBLIC_URL}api/auth/oidc/callback`]);
    platform = await startFakePlatform(
      { ...provider.env(PUBLIC_URL), DRYDOCK_CONTENT: join(ROOT, 'test/fixtures/content-pack') },
      {
        site: {
          '404.html': page('Page not found'),
          'labs/payments-worker-stopped/index.html': page('The payments worker'),
        },
      },
    );
  });
  after(async () => {
    await platform?.close();
    await provider?.close();
  });

  const labsOf = async (jar: CookieJar) =>
    (await visit(platform.app, jar, '/api/labs')).json<{ slug: string }[]>().map((l) => l.slug);

  it('sees the platform team’s lab with the group from the provider, and nothing of staff’s', async () => {
    const jar = new CookieJar();
    const res = await oidcSignIn(platform.app, jar, 'priya', 'priya-password', LAB_PAGE);
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, LAB_PAGE);
    const me = (await visit(platform.app, jar, '/api/auth/me')).json();
    assert.equal(me.user.role, 'learner');

    const lab = await visit(platform.app, jar, LAB_PAGE);
    assert.equal(lab.statusCode, 200);
    assert.equal(lab.headers['cache-control'], 'private, no-store');
    assert.ok((await labsOf(jar)).includes('payments-worker-stopped'));
    const mine = (await visit(platform.app, jar, '/api/content/mine')).json();
    assert.deepEqual(
      mine.pages.map((p: { href: string }) => p.href),
      [LAB_PAGE, '/lessons/payments-worker-runbook/'],
    );

    for (const url of ['/api/classes', '/api/labs/stats', '/api/admin/sessions']) {
      const refused = await visit(platform.app, jar, url);
      assert.equal(refused.statusCode, 403, url);
      assert.equal(refused.json().error.code, 'ROLE_REQUIRED', url);
    }

    // Moved to another team at the provider: the next sign-in takes the groups again.
    provider.users.priya!.groups = ['engineering'];
    const again = new CookieJar();
    await oidcSignIn(platform.app, again, 'priya', 'priya-password');
    assert.equal((await visit(platform.app, again, LAB_PAGE)).statusCode, 404);
    assert.ok(!(await labsOf(again)).includes('payments-worker-stopped'));
    provider.users.priya!.groups = ['engineering', 'platform-team'];
  });

  it('does not see it without the group, as if it did not exist', async () => {
    const jar = new CookieJar();
    await oidcSignIn(platform.app, jar, 'riley', 'riley-password');
    assert.equal((await visit(platform.app, jar, '/api/auth/me')).json().user.role, 'learner');
    const lab = await visit(platform.app, jar, LAB_PAGE);
    assert.equal(lab.statusCode, 404);
    assert.equal(lab.body, page('Page not found'));
    assert.ok(!(await labsOf(jar)).includes('payments-worker-stopped'));
    assert.equal(
      (await visit(platform.app, jar, '/api/labs/payments-worker-stopped')).json().error.code,
      'LAB_NOT_FOUND',
    );
  });
});
