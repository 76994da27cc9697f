/**
 * The terminal WebSocket against misbehaving clients: oversized frames,
 * malformed control messages, invalid UTF-8 and binary garbage never take
 * the server down; each is refused with a close code or ignored, as
 * docs/api.md says. Sandboxes are in-memory (the "shell" echoes its input).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type WebSocket from 'ws';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

interface Opened {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the echoed binary output once it contains `text`. */
  output: (text: string) => Promise<string>;
}

describe('the terminal WebSocket protocol', () => {
  let platform: FakePlatform;

  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_SESSIONS_PER_CLIENT: '100' });
  });
  after(async () => {
    // injectWS's in-memory streams never report a closed TCP socket, so ws would wait out its 30 s close timeout.
    for (const client of platform.app.websocketServer.clients) client.terminate();
    await platform.close();
  });

  async function open(): Promise<Opened> {
    const { app } = platform;
    const created = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(created.statusCode, 201);
    const { id, token } = created.json<{ id: string; token: string }>();
    await app.sessions.get(id, token).provisioned;
    let out = '';
    const waiters: (() => void)[] = [];
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    let markClosed!: (value: { code: number; reason: string }) => void;
    const closed = new Promise<{ code: number; reason: string }>(
      (resolve) => (markClosed = resolve),
    );
    // Listen from the first moment: the server says "ready" as soon as the socket opens.
    const ws = await app.injectWS(
      `/api/sessions/${id}/terminal?token=${token}`,
      {},
      {
        onInit: (socket) => {
          socket.on('close', (code: number, reason: Buffer) =>
            markClosed({ code, reason: reason.toString() }),
          );
          socket.on('message', (data: Buffer, isBinary: boolean) => {
            if (isBinary) {
              out += data.toString('utf8');
              for (const w of waiters.splice(0)) w();
            } else if ((JSON.parse(data.toString('utf8')) as { type: string }).type === 'ready')
              markReady();
          });
        },
      },
    );
    await ready;
    const output = async (text: string) => {
      while (!out.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
      return out;
    };
    return { ws, closed, output };
  }

  it('closes a connection that sends a frame over 64 KiB with 1009, and the server keeps serving', async () => {
    const { ws, closed } = await open();
    ws.send(Buffer.alloc(64 * 1024 + 1, 0x61));
    assert.equal((await closed).code, 1009);
    assert.equal((await platform.app.inject({ url: '/api/status' })).statusCode, 200);
    const again = await open();
    again.ws.send(Buffer.from('still here'));
    await again.output('still here');
    again.ws.close();
  });

  it('accepts a frame of exactly 64 KiB', async () => {
    const { ws, output } = await open();
    ws.send(Buffer.alloc(64 * 1024, 0x62));
    assert.equal((await output('b'.repeat(64 * 1024))).length, 64 * 1024);
    ws.close();
  });

  it('closes a connection that sends invalid UTF-8 in a text frame with 1007', async () => {
    const { ws, closed } = await open();
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal((await closed).code, 1007);
    assert.equal((await platform.app.inject({ url: '/api/status' })).statusCode, 200);
  });

  it('ignores malformed and unknown control messages and keeps the terminal working', async () => {
    const { ws, output } = await open();
    for (const text of [
      'not json',
      '',
      'null',
      '42',
      '"resize"',
      '[]',
      '{}',
      '{"type":null}',
      '{"type":"resize"}',
      '{"type":"resize","cols":-1,"rows":24}',
      '{"type":"resize","cols":80,"rows":-24}',
      '{"type":"resize","cols":0,"rows":0}',
      '{"type":"resize","cols":1e308,"rows":1e308}',
      '{"type":"resize","cols":99999999999,"rows":24}',
      '{"type":"resize","cols":80.5,"rows":24}',
      '{"type":"resize","cols":"80","rows":"24"}',
      '{"type":"resize","cols":null,"rows":24}',
      '{"type":"resize","cols":[80],"rows":{"n":24}}',
      '{"type":"ack"}',
      '{"type":"ack","bytes":-5}',
      '{"type":"ack","bytes":1e300}',
      '{"type":"ack","bytes":"all"}',
      '{"type":"exec","cmd":"rm -rf /"}',
      '{"__proto__":{"type":"resize"},"cols":80,"rows":24}',
      '['.repeat(30_000) + ']'.repeat(30_000),
      '{"type":"resize","cols":80,"rows":24',
    ]) {
      ws.send(text);
    }
    ws.send('{"type":"resize","cols":100,"rows":30}');
    ws.send(Buffer.from('after the garbage'));
    await output('after the garbage');
    assert.equal(ws.readyState, ws.OPEN);
    ws.close();
  });

  it('passes binary garbage to the shell as input, without harm to the server', async () => {
    const { ws, output } = await open();
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    ws.send(garbage);
    ws.send(Buffer.from('END-OF-GARBAGE'));
    await output('END-OF-GARBAGE');
    assert.equal(ws.readyState, ws.OPEN);
    ws.close();
    assert.equal((await platform.app.inject({ url: '/api/status' })).statusCode, 200);
  });

  it('clamps the size given in the query string instead of failing', async () => {
    const { app } = platform;
    const created = (
      await app.inject({ method: 'POST', url: '/api/sessions', payload: { lab: 'tiny-lab' } })
    ).json<{ id: string; token: string }>();
    await app.sessions.get(created.id, created.token).provisioned;
    for (const q of [
      'cols=-1&rows=1e9',
      'cols=abc&rows=',
      'cols=80.5&rows=24&cols=90',
      'rows[]=1',
    ]) {
      let first!: Promise<string>;
      const ws = await app.injectWS(
        `/api/sessions/${created.id}/terminal?token=${created.token}&${q}`,
        {},
        {
          onInit: (socket) => {
            first = new Promise((resolve) =>
              socket.once('message', (data: Buffer) => resolve(data.toString('utf8'))),
            );
          },
        },
      );
      assert.equal((JSON.parse(await first) as { type: string }).type, 'ready', q);
      // terminate, not close: an injected socket never completes a closing handshake, and a
      // session allows only DRYDOCK_TERMINALS_PER_SESSION open terminals.
      ws.terminate();
    }
  });
});
