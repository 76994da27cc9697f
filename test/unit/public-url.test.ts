/**
 * DRYDOCK_PUBLIC_URL as the server reads it: the address learners open, whose
 * origin alone may open terminals. A wrong value stops the server at start with
 * the variable named and a way to fix it, rather than refusing every terminal later.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';

describe('DRYDOCK_PUBLIC_URL', () => {
  it('is unset by default, and an empty value means unset', () => {
    assert.equal(loadConfig({}).publicUrl, undefined);
    assert.equal(loadConfig({ DRYDOCK_PUBLIC_URL: '  ' }).publicUrl, undefined);
  });

  for (const [text, url, origin] of [
    ['https://drydock.example.org', 'https://drydock.example.org/', 'https://drydock.example.org'],
    [
      'https://Drydock.Example.org:8443/',
      'https://drydock.example.org:8443/',
      'https://drydock.example.org:8443',
    ],
    [
      'https://drydock.example.org:443',
      'https://drydock.example.org/',
      'https://drydock.example.org',
    ],
    ['http://10.0.0.5:4400', 'http://10.0.0.5:4400/', 'http://10.0.0.5:4400'],
  ] as const) {
    it(`reads ${text} as ${url} (origin ${origin})`, () => {
      assert.deepEqual(loadConfig({ DRYDOCK_PUBLIC_URL: text }).publicUrl, { url, origin });
    });
  }

  for (const [text, complaint] of [
    ['drydock.example.org', /is not an absolute URL; use the address learners open/],
    ['ftp://drydock.example.org', /must start with https:\/\/ or http:\/\//],
    ['https://me:secret@drydock.example.org', /must not contain a user name or password/],
    ['https://drydock.example.org/?ref=x', /must not have a query/],
    ['https://drydock.example.org/#top', /must not have a query \(\?…\) or fragment/],
    [
      'https://example.org/drydock/',
      /has a path \(\/drydock\/\), but Drydock is served from the root/,
    ],
  ] as const) {
    it(`refuses ${text} with a message that says how to fix it`, () => {
      assert.throws(
        () => loadConfig({ DRYDOCK_PUBLIC_URL: text }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes('DRYDOCK_PUBLIC_URL: ') &&
          complaint.test(error.message),
      );
    });
  }
});
