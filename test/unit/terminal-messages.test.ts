import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientMessage } from '../../lab-server/terminal/messages.ts';

describe('terminal control messages', () => {
  it('accepts resize and ack messages', () => {
    assert.deepEqual(parseClientMessage('{"type":"resize","cols":120,"rows":40}'), {
      ok: true,
      value: { type: 'resize', cols: 120, rows: 40 },
    });
    assert.deepEqual(parseClientMessage('{"type":"ack","bytes":65536}'), {
      ok: true,
      value: { type: 'ack', bytes: 65536 },
    });
  });

  for (const text of [
    'not json',
    '',
    'null',
    '[]',
    '{"type":"resize","cols":0,"rows":10}',
    '{"type":"resize","cols":100000,"rows":10}',
    '{"type":"resize","cols":"80","rows":24}',
    '{"type":"resize","cols":80.5,"rows":24}',
    '{"type":"ack","bytes":-1}',
    '{"type":"exec","cmd":"rm -rf /"}',
  ]) {
    it(`ignores ${JSON.stringify(text)} without throwing`, () => {
      assert.equal(parseClientMessage(text).ok, false);
    });
  }
});
