/**
 * DRYDOCK_OIDC_*: read once at start like the rest of the configuration, and
 * refused with the variable named and how to fix it: a half-configured
 * provider, no public address to come back to, an issuer over plain http to
 * another machine, a mapping that names no role. And the mapping itself:
 * a person in several mapped groups gets the highest role.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';
import { groupsAt, roleOf } from '../../lab-server/oidc/group-roles.ts';

const COMPLETE = {
  DRYDOCK_PUBLIC_URL: 'https://drydock.example.org',
  DRYDOCK_OIDC_ISSUER: 'https://login.example.org/realms/staff',
  DRYDOCK_OIDC_CLIENT_ID: 'drydock',
  DRYDOCK_OIDC_CLIENT_SECRET: 's3cret-from-the-provider',
  DRYDOCK_OIDC_ROLES: 'drydock-admins=admin, trainers=instructor,helpers=assistant',
};

const refused = (env: Record<string, string>, pattern: RegExp) =>
  assert.throws(
    () => loadConfig(env, '/srv/drydock'),
    (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
    `expected ${pattern} for ${JSON.stringify(env)}`,
  );

describe('OpenID Connect configuration', () => {
  it('is off unless configured', () => {
    assert.equal(loadConfig({}, '/srv/drydock').oidc, undefined);
    assert.equal(loadConfig({ DRYDOCK_OIDC_ISSUER: '' }, '/srv/drydock').oidc, undefined);
  });

  it('reads a complete configuration, with defaults for the claim, scopes and label', () => {
    const { oidc } = loadConfig(COMPLETE, '/srv/drydock');
    assert.ok(oidc);
    assert.equal(oidc.issuer, 'https://login.example.org/realms/staff');
    const slash = 'https://tenant.example.org/';
    assert.equal(
      loadConfig({ ...COMPLETE, DRYDOCK_OIDC_ISSUER: ` ${slash}` }, '/').oidc?.issuer,
      slash,
      'as written: a trailing slash is part of some issuers',
    );
    assert.equal(oidc.redirectUri, 'https://drydock.example.org/api/auth/oidc/callback');
    assert.deepEqual(oidc.groupsClaim, ['groups']);
    assert.equal(oidc.scopes, 'openid profile email');
    assert.equal(oidc.label, 'login.example.org');
    assert.deepEqual(
      [...oidc.roles],
      [
        ['drydock-admins', 'admin'],
        ['trainers', 'instructor'],
        ['helpers', 'assistant'],
      ],
    );
    const custom = loadConfig(
      {
        ...COMPLETE,
        DRYDOCK_OIDC_GROUPS_CLAIM: 'realm_access.roles',
        DRYDOCK_OIDC_SCOPES: 'openid  profile groups',
        DRYDOCK_OIDC_LABEL: 'Acme login',
        DRYDOCK_OIDC_ROLES: '/Staff/Trainers=instructor',
      },
      '/srv/drydock',
    ).oidc!;
    assert.deepEqual(custom.groupsClaim, ['realm_access', 'roles']);
    assert.equal(custom.scopes, 'openid profile groups');
    assert.equal(custom.label, 'Acme login');
    assert.equal(custom.roles.get('/Staff/Trainers'), 'instructor');
  });

  it('names each variable a half-made configuration lacks', () => {
    for (const name of Object.keys(COMPLETE).filter((n) => n.startsWith('DRYDOCK_OIDC_'))) {
      const env: Record<string, string> = { ...COMPLETE };
      delete env[name];
      refused(env, new RegExp(`${name}: OpenID Connect sign-in needs`));
    }
    refused(
      { DRYDOCK_OIDC_LABEL: 'Acme login' },
      /DRYDOCK_OIDC_ISSUER, DRYDOCK_OIDC_CLIENT_ID, DRYDOCK_OIDC_CLIENT_SECRET, DRYDOCK_OIDC_ROLES: .*set them/,
    );
  });

  it('needs DRYDOCK_PUBLIC_URL, to tell the provider where to send people back', () => {
    const env: Record<string, string> = { ...COMPLETE };
    delete env.DRYDOCK_PUBLIC_URL;
    refused(env, /DRYDOCK_PUBLIC_URL: OpenID Connect sign-in needs the address/);
  });

  it('refuses an issuer over plain http to another machine, and one that is not a URL', () => {
    refused(
      { ...COMPLETE, DRYDOCK_OIDC_ISSUER: 'http://login.example.org' },
      /DRYDOCK_OIDC_ISSUER: .*must start with https:\/\//,
    );
    refused(
      { ...COMPLETE, DRYDOCK_OIDC_ISSUER: 'login.example.org' },
      /DRYDOCK_OIDC_ISSUER: .*not a URL/,
    );
    refused(
      { ...COMPLETE, DRYDOCK_OIDC_ISSUER: 'https://login.example.org/?realm=x' },
      /DRYDOCK_OIDC_ISSUER: .*bare issuer/,
    );
    for (const issuer of [
      'http://127.0.0.1:8080',
      'http://localhost:8080/realms/x',
      'http://[::1]:9000',
    ])
      assert.equal(
        loadConfig({ ...COMPLETE, DRYDOCK_OIDC_ISSUER: issuer }, '/').oidc?.issuer,
        issuer,
      );
  });

  it('refuses a mapping that is not group=role with a known role', () => {
    for (const roles of ['trainers=teacher', 'trainers', '=admin', ',', 'a=admin,a=assistant'])
      refused({ ...COMPLETE, DRYDOCK_OIDC_ROLES: roles }, /DRYDOCK_OIDC_ROLES: /);
  });

  it('refuses scopes without openid, a claim path that is not one, and a label with control characters', () => {
    refused(
      { ...COMPLETE, DRYDOCK_OIDC_SCOPES: 'profile email' },
      /DRYDOCK_OIDC_SCOPES: include openid/,
    );
    refused({ ...COMPLETE, DRYDOCK_OIDC_GROUPS_CLAIM: 'groups..x' }, /DRYDOCK_OIDC_GROUPS_CLAIM: /);
    refused({ ...COMPLETE, DRYDOCK_OIDC_LABEL: 'Acme\nlogin' }, /DRYDOCK_OIDC_LABEL: /);
  });
});

describe('groups to roles', () => {
  const roles = loadConfig(COMPLETE, '/').oidc!.roles;

  it('gives the highest role of all mapped groups, whatever their order', () => {
    assert.equal(roleOf(['helpers', 'trainers', 'drydock-admins'], roles), 'admin');
    assert.equal(roleOf(['drydock-admins', 'helpers'], roles), 'admin');
    assert.equal(roleOf(['everyone', 'helpers', 'trainers'], roles), 'instructor');
    assert.equal(roleOf(['helpers'], roles), 'assistant');
    assert.equal(roleOf(['everyone', 'Trainers'], roles), undefined, 'names match exactly');
    assert.equal(roleOf([], roles), undefined);
  });

  it('reads the groups claim as a list, a single name, or a path into nested claims', () => {
    assert.deepEqual(groupsAt({ groups: ['a', 'b', 3] }, ['groups']), ['a', 'b']);
    assert.deepEqual(groupsAt({ groups: 'a' }, ['groups']), ['a']);
    assert.deepEqual(groupsAt({ groups: { a: 1 } }, ['groups']), []);
    assert.equal(groupsAt({ name: 'x' }, ['groups']), undefined, 'absent: ask UserInfo');
    const keycloak = { realm_access: { roles: ['trainers', 'offline_access'] } };
    assert.deepEqual(groupsAt(keycloak, ['realm_access', 'roles']), ['trainers', 'offline_access']);
    assert.equal(groupsAt(keycloak, ['realm_access', 'groups']), undefined);
    assert.equal(groupsAt({ toString: 'x' }, ['constructor']), undefined, 'own claims only');
  });
});
