/**
 * The built site travels compressed to a browser that accepts it: the build
 * writes a Brotli and a gzip copy beside each text file (site/lib/precompress.ts)
 * and the server picks one by Accept-Encoding. What arrives must decode to the
 * very file the build made, and keep that file's caching. Against the built site
 * (`npm test` builds it first) served by the real app without an engine.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { IMMUTABLE, REVALIDATE } from '../../lab-server/http/static-caching.ts';
import { ROOT, serveSiteWithoutEngine } from '../support/platform.ts';

const DIST = join(ROOT, 'dist');
const stylesheet = readdirSync(join(DIST, '_astro')).find((name) => name.endsWith('.css'))!;

describe('the built site, compressed on the wire', () => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await serveSiteWithoutEngine());
  });
  after(() => app.close());

  const pages = [
    { url: '/labs/', file: 'labs/index.html', cache: REVALIDATE },
    { url: `/_astro/${stylesheet}`, file: `_astro/${stylesheet}`, cache: IMMUTABLE },
  ];

  for (const { url, file, cache } of pages) {
    it(`sends ${file} as Brotli, gzip or plain, as the browser accepts, each the same file`, async () => {
      const original = readFileSync(join(DIST, file));
      const answers = [
        { accept: 'gzip, deflate, br, zstd', encoding: 'br', decode: brotliDecompressSync },
        { accept: 'gzip', encoding: 'gzip', decode: gunzipSync },
        { accept: 'identity', encoding: undefined, decode: (body: Buffer) => body },
      ];
      for (const { accept, encoding, decode } of answers) {
        const res = await app.inject({ url, headers: { 'accept-encoding': accept } });
        assert.equal(res.statusCode, 200, `${url} with ${accept}`);
        assert.equal(res.headers['content-encoding'], encoding, `${url} with ${accept}`);
        assert.match(String(res.headers.vary), /accept-encoding/i, 'shared caches keep them apart');
        assert.equal(res.headers['cache-control'], cache);
        assert.ok(
          decode(res.rawPayload).equals(original),
          `${url} with ${accept} decodes to ${file}`,
        );
        if (encoding) assert.ok(res.rawPayload.length < original.length / 2, 'it is smaller');
      }
    });
  }

  it('sends the not-found page compressed too, with its 404', async () => {
    const res = await app.inject({ url: '/no-such-page/', headers: { 'accept-encoding': 'br' } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.ok(brotliDecompressSync(res.rawPayload).equals(readFileSync(join(DIST, '404.html'))));
  });
});
