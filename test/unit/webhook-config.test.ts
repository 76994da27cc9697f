/**
 * DRYDOCK_WEBHOOK_URL and DRYDOCK_WEBHOOK_SECRET: off unless set, read once at
 * start, and refused with the variable named and how to fix it: a URL without a
 * secret (or a secret without a URL), a URL that is not http(s) or carries a
 * password, a secret not in the Standard Webhooks form or too short. A refusal
 * never repeats the secret. `drydock webhook secret` makes one the server takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';
import { drydock } from '../support/cli.ts';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const URL_ = 'https://lms.example.org/hooks/drydock';

const refused = (env: Record<string, string>, pattern: RegExp) =>
  assert.throws(
    () => loadConfig(env, '/srv/drydock'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, pattern);
      if (env.DRYDOCK_WEBHOOK_SECRET && env.DRYDOCK_WEBHOOK_SECRET.length > 8)
        assert.ok(
          !error.message.includes(env.DRYDOCK_WEBHOOK_SECRET),
          'the secret is not repeated',
        );
      return true;
    },
  );

describe('results webhook configuration', () => {
  it('is off unless configured (empty counts as unset)', () => {
    assert.equal(loadConfig({}, '/srv/drydock').webhook, undefined);
    assert.equal(
      loadConfig({ DRYDOCK_WEBHOOK_URL: '', DRYDOCK_WEBHOOK_SECRET: ' ' }, '/srv/drydock').webhook,
      undefined,
    );
  });

  it('reads a URL and its secret', () => {
    assert.deepEqual(
      loadConfig({ DRYDOCK_WEBHOOK_URL: ` ${URL_} `, DRYDOCK_WEBHOOK_SECRET: SECRET }, '/').webhook,
      { url: URL_, secret: SECRET },
    );
    const local = 'http://127.0.0.1:9000/drydock?source=lab';
    assert.equal(
      loadConfig({ DRYDOCK_WEBHOOK_URL: local, DRYDOCK_WEBHOOK_SECRET: SECRET }, '/').webhook?.url,
      local,
    );
  });

  it('refuses a URL without a secret, and says how to make one', () => {
    refused(
      { DRYDOCK_WEBHOOK_URL: URL_ },
      /DRYDOCK_WEBHOOK_SECRET: .*needs a secret.*drydock webhook secret.*openssl rand -base64 32/,
    );
  });

  it('refuses a secret without a URL', () => {
    refused({ DRYDOCK_WEBHOOK_SECRET: SECRET }, /DRYDOCK_WEBHOOK_URL: .*set but not the URL/);
  });

  it('refuses a URL that is not one, not http(s), or carries a password or fragment', () => {
    const withSecret = (url: string) => ({
      DRYDOCK_WEBHOOK_URL: url,
      DRYDOCK_WEBHOOK_SECRET: SECRET,
    });
    refused(withSecret('lms.example.org/hooks'), /DRYDOCK_WEBHOOK_URL: .*is not a URL/);
    refused(
      withSecret('ftp://lms.example.org/hooks'),
      /DRYDOCK_WEBHOOK_URL: .*https:\/\/ or http:\/\//,
    );
    refused(withSecret('https://user:pw@lms.example.org/'), /DRYDOCK_WEBHOOK_URL: must not carry/);
    refused(withSecret('https://lms.example.org/#x'), /DRYDOCK_WEBHOOK_URL: must not carry/);
  });

  it('refuses a secret not in the whsec_<base64> form, or of fewer than 24 bytes', () => {
    const withUrl = (secret: string) => ({
      DRYDOCK_WEBHOOK_URL: URL_,
      DRYDOCK_WEBHOOK_SECRET: secret,
    });
    const raw = Buffer.alloc(32, 9).toString('base64');
    refused(withUrl(raw), /DRYDOCK_WEBHOOK_SECRET: must be in the Standard Webhooks form whsec_/);
    refused(withUrl(`whsec_${raw.slice(0, -1)}`), /DRYDOCK_WEBHOOK_SECRET: .*standard base64/);
    refused(withUrl('whsec_not base64 at all!!'), /DRYDOCK_WEBHOOK_SECRET: .*standard base64/);
    refused(
      withUrl(`whsec_${Buffer.alloc(16, 1).toString('base64')}`),
      /DRYDOCK_WEBHOOK_SECRET: .*24 to 64 random bytes \(it has 16\)/,
    );
  });

  it('`drydock webhook secret` prints a new secret the server and a receiver both take', async () => {
    const runs = await Promise.all([
      drydock(['webhook', 'secret']),
      drydock(['webhook', 'secret']),
    ]);
    const [a, b] = runs.map((run) => {
      assert.equal(run.code, 0, run.stderr);
      return run.stdout.trim();
    });
    assert.match(a!, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(a, b, 'random each time');
    const config = loadConfig({ DRYDOCK_WEBHOOK_URL: URL_, DRYDOCK_WEBHOOK_SECRET: a! }, '/');
    assert.equal(config.webhook?.secret, a);
    const signer = new Webhook(a!);
    const when = new Date();
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
      'webhook-signature': signer.sign('msg_1', when, '{"a":1}'),
    };
    assert.deepEqual(new Webhook(a!).verify('{"a":1}', headers), { a: 1 });
  });
});
