/**
 * Who may open a preview, and where previews are served: the one-time links,
 * the cookies' secrets, the preview address's rules, with a clock the test moves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../lab-server/config.ts';
import {
  parsePreviewUrl,
  previewNameOf,
  previewOrigin,
} from '../../lab-server/preview/preview-address.ts';
import { LINK_LIFETIME_MS, PreviewGrants } from '../../lab-server/preview/preview-grants.ts';
import { parseListeningPorts } from '../../lab-server/sandbox/listening-ports.ts';

describe('preview links and cookies', () => {
  it('opens a preview once per link, and only before the link expires', () => {
    let now = 1_000_000;
    const grants = new PreviewGrants(() => now);
    const { preview, code } = grants.link('s_session00001', 8080);
    const late = grants.link('s_session00001', 8080);
    now += LINK_LIFETIME_MS + 1;
    assert.deepEqual(grants.redeem(preview.name, late.code), { refused: 'expired' });
    now -= LINK_LIFETIME_MS;
    const opened = grants.redeem(preview.name, code);
    assert.ok('secret' in opened);
    assert.deepEqual(grants.redeem(preview.name, code), { refused: 'used' });
    assert.deepEqual(grants.admit(preview.name, [opened.secret]), { preview });
  });

  it('admits only a cookie the preview gave out, and among forged ones still finds the real one', () => {
    const grants = new PreviewGrants();
    const mine = grants.link('s_session00001', 8080);
    const theirs = grants.link('s_session00002', 8080);
    const mySecret = grants.redeem(mine.preview.name, mine.code);
    const theirSecret = grants.redeem(theirs.preview.name, theirs.code);
    assert.ok('secret' in mySecret && 'secret' in theirSecret);
    assert.deepEqual(grants.admit(mine.preview.name, []), { refused: 'no-cookie' });
    assert.deepEqual(grants.admit(mine.preview.name, [theirSecret.secret]), {
      refused: 'wrong-cookie',
    });
    assert.ok('preview' in grants.admit(mine.preview.name, ['forged', mySecret.secret]));
    assert.deepEqual(grants.admit('nobody', [mySecret.secret]), { refused: 'no-preview' });
  });

  it('forgets every preview of an ended session', () => {
    const grants = new PreviewGrants();
    const { preview, code } = grants.link('s_session00001', 3000);
    const opened = grants.redeem(preview.name, code);
    assert.ok('secret' in opened);
    grants.forgetSession('s_session00001');
    assert.deepEqual(grants.admit(preview.name, [opened.secret]), { refused: 'no-preview' });
  });
});

describe('the preview address', () => {
  it('reads DRYDOCK_PREVIEW_URL with a * where each preview’s name goes', () => {
    assert.deepEqual(parsePreviewUrl('https://*.Preview.Example.net'), {
      protocol: 'https:',
      domain: 'preview.example.net',
      portSuffix: '',
    });
    assert.deepEqual(parsePreviewUrl('http://*.localhost:8443/'), {
      protocol: 'http:',
      domain: 'localhost',
      portSuffix: ':8443',
    });
    for (const bad of [
      'https://preview.example.net',
      'ftp://*.x.net',
      'https://*.x.net/path',
      '*.x.net',
    ])
      assert.ok('error' in parsePreviewUrl(bad), bad);
  });

  it('stops the server on a malformed value, naming the variable and an example', () => {
    assert.throws(
      () => loadConfig({ DRYDOCK_PREVIEW_URL: 'https://preview.example.net' }),
      /DRYDOCK_PREVIEW_URL: .*https:\/\/\*\.preview\.example\.net/,
    );
  });

  it('serves previews on *.localhost by default on one machine, and not at all behind a public URL until set', () => {
    assert.equal(loadConfig({}).preview.address?.domain, 'localhost');
    assert.equal(
      loadConfig({ DRYDOCK_PUBLIC_URL: 'https://drydock.example.org' }).preview.address,
      undefined,
    );
    assert.equal(
      loadConfig({
        DRYDOCK_PUBLIC_URL: 'https://drydock.example.org',
        DRYDOCK_PREVIEW_URL: 'https://*.drydock-preview.example.net',
      }).preview.address?.domain,
      'drydock-preview.example.net',
    );
    assert.equal(loadConfig({ DRYDOCK_PREVIEW_URL: 'off' }).preview.address, undefined);
  });

  it('tells a preview host from the platform’s own', () => {
    const address = { protocol: 'http:', domain: 'localhost', portSuffix: null };
    assert.equal(previewNameOf(address, 'abc.localhost:4400'), 'abc');
    assert.equal(previewNameOf(address, 'localhost:4400'), undefined);
    assert.equal(previewNameOf(address, '127.0.0.1:4400'), undefined);
    assert.equal(previewNameOf(address, 'evil-localhost:4400'), undefined);
    assert.equal(previewOrigin(address, 'abc', 'localhost:4400'), 'http://abc.localhost:4400');
  });
});

describe('listening ports', () => {
  it('lists the ports 127.0.0.1 reaches, once each', () => {
    const ss = [
      'LISTEN 0 4096 0.0.0.0:8081 0.0.0.0:*',
      'LISTEN 0 4096    [::]:8081    [::]:*',
      'LISTEN 0 511  127.0.0.1:3000 0.0.0.0:*',
      'LISTEN 0 128  10.0.2.100:9000 0.0.0.0:*',
      'LISTEN 0 128      [::1]:7000    [::]:*',
      'LISTEN 0 128          *:80         *:*',
    ].join('\n');
    assert.deepEqual(parseListeningPorts(ss), [80, 3000, 8081]);
  });
});
