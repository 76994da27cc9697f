import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { FlowControl } from '../../lab-server/terminal/flow-control.ts';
import { HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES } from '../../protocol/flow-control.ts';

describe('terminal flow control', () => {
  it('stops reading from the shell when the browser falls behind, and resumes on acknowledgement', async () => {
    const shell = new PassThrough();
    const sent: Buffer[] = [];
    const flow = new FlowControl(shell, (chunk) => sent.push(chunk));
    const block = Buffer.alloc(16 * 1024, 'y');
    for (let i = 0; i < 40; i++) shell.write(block); // 640 KiB of `yes`
    await new Promise((r) => setTimeout(r, 20));
    flow.flush();
    const delivered = sent.reduce((n, b) => n + b.length, 0);
    assert.ok(flow.paused, 'reading is paused');
    assert.ok(
      delivered > HIGH_WATERMARK_BYTES && delivered < HIGH_WATERMARK_BYTES + 64 * 1024,
      `delivered ${delivered} bytes before pausing`,
    );
    assert.ok(shell.isPaused());

    flow.ack(delivered - LOW_WATERMARK_BYTES + 1);
    assert.ok(!flow.paused, 'still paused above the low watermark is wrong');
    assert.ok(!shell.isPaused());
    flow.dispose();
  });

  it('batches small chunks into few frames', async () => {
    const shell = new PassThrough();
    const sent: Buffer[] = [];
    const flow = new FlowControl(shell, (chunk) => sent.push(chunk));
    for (let i = 0; i < 100; i++) shell.write('x');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(sent.map(String).join(''), 'x'.repeat(100));
    assert.ok(sent.length <= 3, `${sent.length} frames for 100 one-byte writes`);
    flow.dispose();
  });

  it('sends output as soon as the event loop is free, what came in one turn as one frame', async () => {
    const shell = new PassThrough();
    const sent: string[] = [];
    const flow = new FlowControl(shell, (chunk) => sent.push(String(chunk)));
    const settle = () => new Promise(setImmediate);
    shell.write('a');
    await settle();
    assert.deepEqual(sent, ['a'], 'an echo is not held back for a batch');
    shell.write('b');
    shell.write('c');
    await settle();
    assert.deepEqual(sent, ['a', 'bc']);
    flow.dispose();
  });
});
