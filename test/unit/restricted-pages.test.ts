/**
 * Which pages only some sign-in groups may see, and who may
 * (lab-server/visibility/restricted-pages.ts, lab-format/lesson-frontmatter.ts): the map from
 * the content to the site's paths, the path a request names however it is
 * spelled, the rule of who reads what, and the role a provider's groups give a
 * learner (oidc/group-roles.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentSources, loadContentLabs } from '../../lab-format/content-packs.ts';
import { frontmatterOf, lessonFacts } from '../../lab-format/lesson-frontmatter.ts';
import {
  mayRead,
  RestrictedPages,
  sitePath,
} from '../../lab-server/visibility/restricted-pages.ts';
import { roleOf } from '../../lab-server/oidc/group-roles.ts';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';
import { ROOT } from '../support/platform.ts';

const PACK = join(ROOT, 'test/fixtures/content-pack');

describe('the restricted pages of the content', () => {
  const sources = contentSources(ROOT, PACK);
  const pages = RestrictedPages.from(
    loadContentLabs(sources).map((lab) => ({
      slug: lab.slug,
      title: lab.manifest.title,
      groups: lab.manifest.groups,
    })),
    lessonFacts(sources),
  );

  it('are the pack’s lab and lesson with groups, at their paths on the site; public pages are not', () => {
    assert.deepEqual(
      pages.pages.map(({ kind, href, groups }) => ({ kind, href, groups })),
      [
        { kind: 'lab', href: '/labs/payments-worker-stopped/', groups: ['platform-team'] },
        { kind: 'lesson', href: '/lessons/payments-worker-runbook/', groups: ['platform-team'] },
      ],
    );
    assert.equal(pages.at('/lessons/acme-image-conventions/'), undefined);
    assert.equal(pages.at('/labs/named-volume-masks-image/'), undefined);
    assert.equal(pages.at('/labs/'), undefined);
  });

  it('take their titles from lab.yaml and the lesson’s frontmatter', () => {
    assert.deepEqual(
      pages.visibleTo({ role: 'learner', groups: ['platform-team'] }).map((p) => p.title),
      [
        'The payments worker was deployed but never started',
        'Runbook: the payments worker is not processing',
      ],
    );
  });

  it('are found however a request spells their path', () => {
    const lab = '/labs/payments-worker-stopped';
    for (const url of [
      lab,
      `${lab}/`,
      `${lab}/index.html`,
      `${lab}/index.html.br`,
      `${lab}/index.html.gz`,
      `${lab}.html`,
      `${lab}/?from=search`,
      '/LABS/Payments-Worker-Stopped/',
      '/labs/payments%2Dworker%2Dstopped/',
      '/labs%2Fpayments-worker-stopped/',
      '/labs%252Fpayments-worker-stopped/',
      '//labs//payments-worker-stopped//',
      '/labs/./payments-worker-stopped/',
      '/lessons/../labs/payments-worker-stopped/',
      '/../labs/payments-worker-stopped/',
      '/labs\\payments-worker-stopped\\',
    ])
      assert.equal(pages.at(url)?.href, `${lab}/`, url);
    for (const url of [
      '/labs/payments-worker-stopped-2/',
      '/labs/payments-worker',
      '/labsx/payments-worker-stopped/',
    ])
      assert.equal(pages.at(url), undefined, url);
  });

  it('normalize a path as a file server reads it', () => {
    assert.equal(sitePath('/a/./b/../C/?q=1#x'), '/a/c/');
    assert.equal(sitePath('/%E0%A4%A'), '/%e0%a4%a', 'undecodable stays as it is');
  });
});

describe('who may read restricted content', () => {
  it('anyone reads what has no groups', () => {
    assert.equal(mayRead(undefined, undefined), true);
  });
  it('a member of one of its groups reads it, whatever their role', () => {
    assert.equal(
      mayRead({ role: 'learner', groups: ['a', 'platform-team'] }, ['platform-team']),
      true,
    );
    assert.equal(mayRead({ role: 'instructor', groups: ['x'] }, ['y', 'x']), true);
  });
  it('nobody signed in, and a staff member outside its groups, do not', () => {
    assert.equal(mayRead(undefined, ['platform-team']), false);
    assert.equal(mayRead({ role: 'learner', groups: [] }, ['platform-team']), false);
    assert.equal(
      mayRead({ role: 'instructor', groups: ['Platform-Team'] }, ['platform-team']),
      false,
    );
    assert.equal(mayRead({ role: 'assistant', groups: ['payments'] }, []), false);
  });
  it('an admin reads everything', () => {
    assert.equal(mayRead({ role: 'admin', groups: [] }, ['platform-team']), true);
    assert.equal(mayRead({ role: 'admin', groups: [] }, []), true);
  });
});

describe('a lesson’s frontmatter', () => {
  it('gives its title and groups, a single group as a list', () => {
    assert.deepEqual(frontmatterOf('---\ntitle: A\ngroups: [x, y]\n---\nbody'), {
      title: 'A',
      groups: ['x', 'y'],
    });
    assert.deepEqual(frontmatterOf('\uFEFF---\r\ntitle: B\r\ngroups: x\r\n---\r\n'), {
      title: 'B',
      groups: ['x'],
    });
    assert.deepEqual(frontmatterOf('---\ntitle: C\n---\n'), { title: 'C' });
  });
  it('that cannot be read says so, and keeps the lesson from everyone but admins', () => {
    assert.ok('problem' in frontmatterOf('no frontmatter here'));
    assert.ok('problem' in frontmatterOf('---\ntitle: [unclosed\n---\n'));
  });
});

describe('the role a provider’s groups give', () => {
  const roles = new Map([
    ['engineering', 'learner' as const],
    ['trainers', 'instructor' as const],
  ]);
  it('learner is the lowest: any staff group wins over it', () => {
    assert.equal(roleOf(['engineering'], roles), 'learner');
    assert.equal(roleOf(['engineering', 'trainers'], roles), 'instructor');
    assert.equal(roleOf(['marketing'], roles), undefined);
  });
  it('* lets everyone the provider signs in in as a learner, and only as one', () => {
    const everyone = new Map([...roles, ['*', 'learner' as const]]);
    assert.equal(roleOf(['marketing'], everyone), 'learner');
    assert.equal(roleOf([], everyone), 'learner');
    assert.equal(roleOf(['trainers'], everyone), 'instructor');
    const env = {
      DRYDOCK_PUBLIC_URL: 'https://drydock.example.org',
      DRYDOCK_OIDC_ISSUER: 'https://login.example.org',
      DRYDOCK_OIDC_CLIENT_ID: 'drydock',
      DRYDOCK_OIDC_CLIENT_SECRET: 'secret',
    };
    assert.equal(
      loadConfig({ ...env, DRYDOCK_OIDC_ROLES: '*=learner,trainers=instructor' }).oidc?.roles.get(
        '*',
      ),
      'learner',
    );
    assert.throws(
      () => loadConfig({ ...env, DRYDOCK_OIDC_ROLES: '*=instructor' }),
      (error: ConfigError) => /may only be a learner/.test(error.message),
    );
  });
});
