import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErrorSpotter,
  MAX_TAIL,
  stripEscapes,
  terminalPatterns,
  type TerminalPattern,
} from '../../site/lib/terminal-errors.ts';
import { buildLogChunk, catalogue } from '../support/error-catalogue.ts';

const patterns = terminalPatterns(catalogue());

/** Feeds chunks to a spotter and returns the pages it offered, in order. */
function spotted(chunks: string[], offered: string[] = []): string[] {
  const seen: string[] = [];
  const spotter = new ErrorSpotter(patterns, (p: TerminalPattern) => seen.push(p.href), offered);
  for (const chunk of chunks) spotter.push(chunk);
  return seen;
}

const CONFLICT =
  'docker: Error response from daemon: Conflict. The container name "/web" is already in use by container "3f565d5b8f01a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b". You have to remove (or rename) that container to be able to reuse that name.\r\n';

describe('errors recognised in terminal output', () => {
  it('recognises messages the lessons explain, with their own names and IDs in them', () => {
    assert.deepEqual(spotted(["Unable to find image 'no-such-image:1' locally\r\n"]), [
      '/lessons/versioned-images-and-air-gap/',
    ]);
    assert.deepEqual(spotted([CONFLICT]), ['/lessons/stale-container-name-conflict/']);
    assert.deepEqual(spotted(["KeyError: 'ContainerConfig'\r\n"]), [
      '/lessons/compose-v1-containerconfig/',
    ]);
    assert.deepEqual(
      spotted([
        "Error: EBUSY: resource busy or locked, rename 'settings.tmp' -> 'settings.json'\n",
      ]),
      ['/lessons/readonly-config-mount/'],
    );
    assert.deepEqual(spotted(['            "OOMKilled": true,\r\n']), [
      '/lessons/oom-during-startup/',
    ]);
    assert.deepEqual(spotted(['Killed\r\n']), ['/lessons/oom-during-startup/']);
  });

  it('finds a message split across chunks, even inside a word', () => {
    const text = "Unable to find image 'no-such-image:1' locally\r\n";
    for (let cut = 1; cut < text.length; cut++) {
      assert.deepEqual(
        spotted(['$ docker run no-such-image:1\r\n', text.slice(0, cut), text.slice(cut)]),
        ['/lessons/versioned-images-and-air-gap/'],
        `cut at ${cut}`,
      );
    }
    // A CRLF split between its two bytes, and a message that arrives a byte at a time.
    assert.equal(spotted([...CONFLICT]).length, 1);
  });

  it('reads a message with colour codes in the middle of it, even split inside an escape', () => {
    const coloured =
      "\x1b[31mError: EBUSY\x1b[0m: resource \x1b[1mbusy\x1b[22m or locked, rename \x1b]8;;file:///x\x07'a.tmp'\x1b]8;;\x07 -> 'a'\r\n";
    assert.deepEqual(spotted([coloured]), ['/lessons/readonly-config-mount/']);
    const at = coloured.indexOf('\x1b[1m') + 2;
    assert.deepEqual(spotted([coloured.slice(0, at), coloured.slice(at)]), [
      '/lessons/readonly-config-mount/',
    ]);
    assert.equal(stripEscapes('\x1b[1;32mok\x1b[0m \x1b(B'), 'ok ');
  });

  it('offers a page once per session, however often its messages are printed', () => {
    const twice = [
      "KeyError: 'ContainerConfig'\r\n",
      'more output\r\n',
      "KeyError: 'ContainerConfig'\r\n",
    ];
    assert.deepEqual(spotted(twice), ['/lessons/compose-v1-containerconfig/']);
    // Another message of the same lesson does not bring it again either.
    assert.deepEqual(spotted([...twice, "ERROR: for board  'ContainerConfig'\r\n"]), [
      '/lessons/compose-v1-containerconfig/',
    ]);
    // After a reload, the pages already offered in this session stay quiet.
    assert.deepEqual(spotted(twice, ['/lessons/compose-v1-containerconfig/']), []);
  });

  it('says nothing about similar lines that are not the error', () => {
    assert.deepEqual(
      spotted([
        "KeyError: 'username'\r\n", // another key: not Compose v1's crash
        'Killed 3 stale processes\r\n', // "Killed" as part of a sentence
        'grep -r "OOMKilled": true\r\n',
        '$ echo the image was found locally\r\n',
        'harborlog-web-1   harborlog:1.1   Restarting (1) Less than a second ago\r\n', // a listing the learner asked for
        'tidewise   dev   4442f7b63d59   2 seconds ago   55.6MB\r\n',
        'Unable to find the image you asked for\r\n',
      ]),
      [],
    );
  });

  it('leaves out listing lines and words too common to anchor on', () => {
    const texts = new Set(patterns.map((p) => p.text));
    assert.ok(![...texts].some((t) => t.includes('unhealthy)')), 'a `docker ps` status column');
    assert.ok(![...texts].some((t) => t.startsWith('restarting (137)')));
    assert.ok(texts.has("keyerror: 'containerconfig'"));
  });

  it('keeps its memory bounded on a line that never ends, and still reads its end', () => {
    const seen: string[] = [];
    const spotter = new ErrorSpotter(patterns, (p) => seen.push(p.href));
    for (let i = 0; i < 1000; i++) spotter.push('y'.repeat(1000));
    spotter.push("Unable to find image 'x:1' locally");
    spotter.push('\r\n');
    assert.deepEqual(seen, ['/lessons/versioned-images-and-air-gap/']);
    assert.ok(MAX_TAIL <= 4096);
  });

  it('reads 50 MB of output and still finds the error at its end, once (npm run bench:errors times it)', () => {
    const chunk = buildLogChunk(16_384);
    const chunks = Math.ceil((50 * 1024 * 1024) / chunk.length);
    const seen: string[] = [];
    const spotter = new ErrorSpotter(patterns, (p) => seen.push(p.href));
    for (let i = 0; i < chunks; i++) spotter.push(chunk);
    spotter.push("\r\nUnable to find image 'x:1' locally\r\n");
    spotter.push("\r\nUnable to find image 'x:1' locally\r\n");
    assert.deepEqual(seen, ['/lessons/versioned-images-and-air-gap/']);
  });
});
