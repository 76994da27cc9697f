/**
 * The editor's file API against a real sandbox: what it lists, opens and saves
 * is the sandbox's own, done as the learner's user, and every refusal is the one
 * the learner's terminal would meet, said in words they can act on.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../lab-server/sessions/session.ts';
import { asLearner, readySessions } from '../support/learner.ts';
import {
  assertNothingLeft,
  LABS_ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const WORKDIR = '/root/lab';
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

describe('files in the sandbox, through the editor’s API', () => {
  let platform: TestPlatform;
  let session: Session;

  const call = async (method: string, path: string, body?: unknown, token = session.token) => {
    const res = await platform.app.inject({
      method: method as 'GET',
      url: `/api/sessions/${session.id}${path}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const open = (path: string) => call('GET', `/file?path=${encodeURIComponent(path)}`);
  const save = (path: string, content: string, baseHash?: string | null) =>
    call('PUT', '/file', { path, content, ...(baseHash === undefined ? {} : { baseHash }) });
  const shell = async (script: string) => {
    const result = await asLearner(session, `cd ${WORKDIR} && ${script}`);
    assert.equal(result.exitCode, 0, result.output);
    return result.output;
  };

  before(async () => {
    platform = await startPlatform({});
    [session] = await readySessions(platform, LAB, 1);
  });
  after(async () => {
    await platform.close();
    await assertNothingLeft(platform.owner);
  });

  it('lists the lab’s working directory: folders first, files with their sizes', async () => {
    const { status, body } = await call('GET', '/files');
    assert.equal(status, 200);
    assert.equal(body.path, WORKDIR);
    assert.equal(body.truncated, false);
    assert.deepEqual(body.entries[0], { name: 'www', type: 'folder' });
    const dockerfile = readFileSync(join(LABS_ROOT, 'labs', LAB, 'files', 'Dockerfile'));
    assert.deepEqual(
      body.entries.find((e: { name: string }) => e.name === 'Dockerfile'),
      { name: 'Dockerfile', type: 'file', size: dockerfile.length },
    );
  });

  it('opens the Dockerfile as the lab wrote it, with the hash of its bytes', async () => {
    const dockerfile = readFileSync(join(LABS_ROOT, 'labs', LAB, 'files', 'Dockerfile'), 'utf8');
    const { status, body } = await open('Dockerfile');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      path: `${WORKDIR}/Dockerfile`,
      content: dockerfile,
      hash: sha256(dockerfile),
      size: Buffer.byteLength(dockerfile),
    });
  });

  it('saves in place, as the learner: the shell reads the new text from the same file', async () => {
    const before = await shell('stat -c "%i %u %a" Dockerfile');
    const opened = (await open('Dockerfile')).body;
    const edited = `${opened.content}# edited in the browser ✓\n`;
    const saved = await save('Dockerfile', edited, opened.hash);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual(saved.body, {
      path: `${WORKDIR}/Dockerfile`,
      hash: sha256(edited),
      size: Buffer.byteLength(edited),
    });
    assert.equal(await shell('cat Dockerfile'), edited);
    // Same inode, owner and mode: a container bind-mounting it sees the edit.
    assert.equal(await shell('stat -c "%i %u %a" Dockerfile'), before);
  });

  it('refuses to overwrite a file changed in the sandbox since it was opened, until told to', async () => {
    const opened = (await open('compose.yaml')).body;
    await shell('echo "# from the terminal" >> compose.yaml');
    const refused = await save('compose.yaml', 'services: {}\n', opened.hash);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'FILE_CHANGED');
    assert.match(
      refused.body.error.message,
      /compose\.yaml: it was changed in the sandbox since you opened it/,
    );
    assert.match(await shell('cat compose.yaml'), /# from the terminal/);

    const forced = await save('compose.yaml', 'services: {}\n');
    assert.equal(forced.status, 200);
    assert.equal(await shell('cat compose.yaml'), 'services: {}\n');
  });

  it('creates a new file only where none is', async () => {
    const created = await save('notes.txt', 'hello\n', null);
    assert.equal(created.status, 200);
    assert.equal(await shell('cat notes.txt'), 'hello\n');
    const again = await save('notes.txt', 'bye\n', null);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'FILE_CHANGED');
  });

  it('says why it cannot save: a read-only mount, a file the learner’s user may not write, a folder, a missing folder', async () => {
    await shell('mkdir -p ro && mount -t tmpfs -o ro tmpfs ro');
    const cases: [string, number, string, RegExp][] = [
      [
        `${WORKDIR}/ro/config.yaml`,
        403,
        'FILE_REFUSED',
        /ro\/config\.yaml: it is read-only: the file system it is on is mounted read-only/,
      ],
      ['/etc/hostname', 403, 'FILE_REFUSED', /hostname: it is read-only/],
      // Owned by the host's root, which the sandbox's user namespace does not map.
      [
        '/proc/sys/kernel/ostype',
        403,
        'FILE_REFUSED',
        /ostype: it is read-only for you: permission denied/,
      ],
      ['www', 403, 'FILE_REFUSED', /www: it is a folder, not a file/],
      ['no-such-dir/x.txt', 404, 'FILE_NOT_FOUND', /x\.txt: its folder does not exist/],
    ];
    for (const [path, status, code, message] of cases) {
      const { status: got, body } = await save(path, 'x\n');
      assert.equal(got, status, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, code, path);
      assert.match(body.error.message, message);
    }
  });

  it('says why it cannot open: missing, a folder, not text, too large, unreadable, not a regular file', async () => {
    await shell(
      'printf "\\x7fELF\\x00\\x01" > program && head -c 1100000 /dev/zero | tr "\\0" a > big.log',
    );
    const cases: [string, number, string, RegExp][] = [
      ['missing.txt', 404, 'FILE_NOT_FOUND', /missing\.txt: there is no such file/],
      ['www', 403, 'FILE_REFUSED', /it is a folder, not a file/],
      ['program', 415, 'FILE_NOT_TEXT', /program: it is not text/],
      [
        'big.log',
        413,
        'FILE_TOO_LARGE',
        /big\.log: it is 1\.0 MiB; the editor opens files of up to 1\.0 MiB/,
      ],
      ['/proc/sys/kernel/cad_pid', 403, 'FILE_REFUSED', /you may not read it: permission denied/],
      ['/dev/null', 403, 'FILE_REFUSED', /it is not a regular file but a character special file/],
    ];
    for (const [path, status, code, message] of cases) {
      const { status: got, body } = await open(path);
      assert.equal(got, status, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, code, path);
      assert.match(body.error.message, message);
    }
    const tooLarge = await save('big.txt', 'a'.repeat(1024 * 1024 + 1));
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error.code, 'FILE_TOO_LARGE');
  });

  it('lists other folders, and says why not for a file or a missing folder', async () => {
    const etc = await call('GET', '/files?path=/etc');
    assert.equal(etc.status, 200);
    assert.ok(
      etc.body.entries.some(
        (e: { name: string; link?: boolean }) => e.name === 'hostname' && e.link,
      ),
    );
    const file = await call('GET', '/files?path=Dockerfile');
    assert.equal(file.status, 403);
    assert.match(file.body.error.message, /Dockerfile: it is a file, not a folder/);
    const missing = await call('GET', '/files?path=/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'FILE_NOT_FOUND');
  });
});
