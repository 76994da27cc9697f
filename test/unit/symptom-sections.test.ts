import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sectionOf } from '../../site/lib/symptom-sections.ts';

const BODY = [
  'Intro text.',
  '',
  '## Symptom',
  '',
  '```console',
  '# not a heading: a comment in a block',
  "Unable to find image 'tollgate-api:1.4' locally",
  '```',
  '',
  '## Why it happens',
  '',
  '### The other error: `No such image`',
  '',
  'The engine answers `No such image: sha256:6864585ee0b6...` when the image is gone.',
].join('\n');
const HEADINGS = [
  { depth: 2, slug: 'symptom' },
  { depth: 2, slug: 'why-it-happens' },
  { depth: 3, slug: 'the-other-error-no-such-image' },
];

describe('the section that shows a symptom', () => {
  it('is the heading above the first place the message appears, its variable parts aside', () => {
    assert.equal(sectionOf(BODY, HEADINGS, "Unable to find image 'x:2' locally"), 'symptom');
    assert.equal(
      sectionOf(BODY, HEADINGS, 'No such image: sha256:0123456789abcdef0123'),
      'the-other-error-no-such-image',
    );
  });

  it('is none when the page never shows the message below a heading', () => {
    assert.equal(sectionOf(BODY, HEADINGS, 'no space left on device'), undefined);
    assert.equal(
      sectionOf('Intro only: no space left on device', [], 'no space left on device'),
      undefined,
    );
  });
});
