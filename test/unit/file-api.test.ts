/**
 * The file API's edge, without an engine: who may reach a session's files, and
 * which inputs are refused before anything runs in a sandbox. What the sandbox
 * itself refuses is test/engine/sandbox-files.test.ts's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_PATH_LENGTH } from '../../protocol/files.ts';
import { startFakePlatform, type FakePlatform } from '../support/fake-sandbox.ts';
import { signedInStaff } from '../support/staff.ts';

describe('the file API’s edge', () => {
  let platform: FakePlatform;
  let url: string;
  let session: { id: string; token: string };

  const call = (
    method: 'GET' | 'PUT',
    path: string,
    options: { body?: unknown; token?: string | null; cookie?: string } = {},
  ) =>
    platform.app.inject({
      method,
      url: `/api/sessions/${session.id}${path}`,
      headers: {
        ...(options.token === null
          ? {}
          : { authorization: `Bearer ${options.token ?? session.token}` }),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });

  before(async () => {
    platform = await startFakePlatform();
    url = await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const created = await platform.app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(created.statusCode, 201);
    session = created.json();
  });
  after(() => platform.close());

  it('answers a missing or wrong token like an unknown session, for every file route', async () => {
    for (const token of [null, 'x'.repeat(32)]) {
      for (const [method, path, body] of [
        ['GET', '/files', undefined],
        ['GET', '/file?path=Dockerfile', undefined],
        ['PUT', '/file', { path: 'Dockerfile', content: 'FROM scratch\n' }],
      ] as const) {
        const res = await call(method, path, { token, body });
        assert.equal(res.statusCode, 404, `${method} ${path}`);
        assert.equal(res.json().error.code, 'SESSION_NOT_FOUND');
      }
    }
  });

  it('gives staff watching the learner (signed in, without the session’s token) no file access', async () => {
    const cookie = await signedInStaff({ app: platform.app, url }, 'admin', 'Ada Admin');
    const read = await call('GET', '/file?path=Dockerfile', { token: null, cookie });
    assert.equal(read.statusCode, 404);
    const write = await call('PUT', '/file', {
      token: null,
      cookie,
      body: { path: 'Dockerfile', content: 'x' },
    });
    assert.equal(write.statusCode, 404);
  });

  for (const [name, path, message] of [
    ['an empty path', '', /querystring\.path: Too small: expected string to have >=1 characters/],
    ['a path with a NUL byte', 'Docker%00file', /must not contain a NUL byte|must match pattern/],
    [
      'a path longer than Linux allows',
      'a'.repeat(MAX_PATH_LENGTH + 1),
      /querystring\.path: Too big: expected string to have <=4096 characters/,
    ],
  ] as const) {
    it(`refuses to open ${name}, naming the path`, async () => {
      const res = await call('GET', `/file?path=${path}`);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.equal(res.json().error.field, 'path');
      assert.match(res.json().error.message, message);
    });
  }

  it('refuses to open without a path, and to list with an unknown parameter', async () => {
    const open = await call('GET', '/file');
    assert.equal(open.statusCode, 400);
    assert.equal(open.json().error.field, 'path');
    const list = await call('GET', '/files?path=.&recursive=1');
    assert.equal(list.statusCode, 400);
  });

  for (const [name, body, field] of [
    ['a path with a NUL byte', { path: 'a\u0000b', content: '' }, 'path'],
    ['content that is not text', { path: 'a', content: 42 }, 'content'],
    ['no content', { path: 'a' }, 'content'],
    ['a hash that is not a SHA-256', { path: 'a', content: '', baseHash: 'abc' }, 'baseHash'],
    ['a property the API does not know', { path: 'a', content: '', mode: '777' }, undefined],
  ] as const) {
    it(`refuses to save ${name}`, async () => {
      const res = await call('PUT', '/file', { body });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      if (field) assert.equal(res.json().error.field, field);
    });
  }

  it('refuses a save whose body is larger than any file the editor saves, before reading it', async () => {
    const res = await call('PUT', '/file', {
      body: { path: 'big.txt', content: 'a'.repeat(3 * 1024 * 1024 + 1) },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'BAD_REQUEST');
  });
});
