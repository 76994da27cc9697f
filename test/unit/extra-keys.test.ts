/**
 * The bytes the phone's extra keys send (site/scripts/extra-keys.ts): what a
 * terminal sends for the same keys, so a shell, vim or less reads them alike.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyBytes, withCtrl } from '../../site/scripts/extra-keys.ts';

describe('the extra keys', () => {
  it('send Esc, Tab and the characters as they are', () => {
    assert.equal(keyBytes('Escape'), '\x1b');
    assert.equal(keyBytes('Tab'), '\t');
    assert.equal(keyBytes('|'), '|');
    assert.equal(keyBytes('~'), '~');
  });

  it('send arrows in the mode the shell asked for, and Ctrl+arrow as xterm does', () => {
    assert.equal(keyBytes('ArrowUp'), '\x1b[A');
    assert.equal(keyBytes('ArrowLeft', { applicationCursor: true }), '\x1bOD');
    assert.equal(keyBytes('ArrowRight', { ctrl: true, applicationCursor: true }), '\x1b[1;5C');
  });

  it('turn the next key into its control character with Ctrl: Ctrl+C is ETX', () => {
    assert.equal(withCtrl('c'), '\x03');
    assert.equal(withCtrl('C'), '\x03');
    assert.equal(withCtrl('d'), '\x04');
    assert.equal(withCtrl('['), '\x1b');
    assert.equal(withCtrl('-'), '\x1f');
    assert.equal(withCtrl('cat'), '\x03at', 'only the first character');
    assert.equal(withCtrl('1'), '1', 'no control character: as typed');
    assert.equal(keyBytes('/', { ctrl: true }), '\x1f');
  });
});
