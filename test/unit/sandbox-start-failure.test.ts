/**
 * The one-line reason an operator reads when a sandbox dies while starting
 * (lab-server/sandbox/start-failure.ts). The log lines are what real sandboxes
 * printed on this kind of machine (copied from `docker logs`); the engine test
 * test/engine/host-devices.test.ts causes such a death for real.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demuxLog, explainSandboxDeath } from '../../lab-server/sandbox/start-failure.ts';

const ROOTLESSKIT_TAP_FAILED =
  '[rootlesskit:parent] error: failed to setup network &{logWriter:0xc000256860 binary:slirp4netns mtu:1500 ifname:tap0}: setting up tap tap0: executing [[nsenter -t 19 -n -m -U --preserve-credentials ip tuntap add name tap0 mode tap] [nsenter -t 19 -n -m -U --preserve-credentials ip link set tap0 up]]: exit status 1';

describe('why a sandbox died while starting', () => {
  it('names /dev/net/tun when the engine was refused the tap device (a 0600 node it does not own)', () => {
    const reason = explainSandboxDeath({ exitCode: 1, oomKilled: false }, [
      '+ exec rootlesskit --state-dir=/run/user/1000/dockerd-rootless --net=slirp4netns',
      'open: Permission denied',
      ROOTLESSKIT_TAP_FAILED,
      '[rootlesskit:child ] error: EOF',
    ]);
    assert.equal(reason, "the sandbox's engine could not open /dev/net/tun: permission denied");
  });

  it('quotes the kernel’s complaint when /dev/net/tun is some other device', () => {
    const reason = explainSandboxDeath({ exitCode: 1, oomKilled: false }, [
      'ioctl(TUNSETIFF): Inappropriate ioctl for device',
      ROOTLESSKIT_TAP_FAILED,
      '[rootlesskit:child ] error: EOF',
    ]);
    assert.equal(
      reason,
      "the sandbox's engine could not set up its network on /dev/net/tun: ioctl(TUNSETIFF): Inappropriate ioctl for device",
    );
  });

  it('passes on what the sandbox’s entrypoint said about itself', () => {
    const reason = explainSandboxDeath({ exitCode: 78, oomKilled: false }, [
      "drydock-entrypoint: the sandbox's engine could not open /dev/net/tun: permission denied (it is the host's own device node, bind-mounted with mode 600, which the sandbox does not change; make it usable on the host: chmod 0666 /dev/net/tun)",
    ]);
    assert.match(reason, /^the sandbox's engine could not open \/dev\/net\/tun: .*chmod 0666/);
  });

  it('says the sandbox ran out of memory when the OOM killer ended it', () => {
    assert.match(
      explainSandboxDeath({ exitCode: 137, oomKilled: true }, []),
      /ran out of memory.*DRYDOCK_SANDBOX_MEMORY/,
    );
  });

  it('otherwise gives the exit code, the signal and the last line that is not a shell trace', () => {
    assert.equal(
      explainSandboxDeath({ exitCode: 137, oomKilled: false }, ['something odd', '+ mtu=1500']),
      'the sandbox exited with code 137 (killed by signal 9) while its engine was starting; its last line: something odd',
    );
  });

  it('splits Docker’s multiplexed log into text', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    assert.equal(demuxLog(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')])), 'out\nerr\n');
  });
});
