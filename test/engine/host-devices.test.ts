/**
 * Drydock on the hosts people actually have. Many minimal cloud and VM images
 * have no udev, and their /dev/net/tun is mode 0600 (root only): the sandbox's
 * engine, uid 1000, used to be refused it and every sandbox died after a
 * second. These tests set the HOST's /dev/net/tun to 0600 and to 0666 (what
 * udev sets), start a lab through the real server to a shell prompt in its
 * terminal, and check that the sandbox left the host's node as the test set it.
 * The original mode is restored afterwards, also when a test fails.
 *
 * Then a sandbox that dies while starting: the server says why within seconds
 * (not at the probe's 90 s timeout), logs the sandbox's own last lines, and
 * brings labs back by itself once the host is fixed.
 *
 * They change a host-wide device node for a while, so they assume the engine is
 * not shared with another run's sandboxes at that moment (CI runs test files
 * one at a time).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { HOST_CHANGE, recordHostChange, undoHostChangeOfDeadRun } from '../support/host-change.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { checkDevices } from '../../lab-server/cli/doctor-checks.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import { hostConfigFor } from '../../lab-server/sandbox/profiles.ts';
import { demuxLog } from '../../lab-server/sandbox/start-failure.ts';
import { openTerminal, readySessions } from '../support/learner.ts';
import {
  assertNothingLeft,
  leftovers,
  newOwner,
  ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const TUN = '/dev/net/tun';
const LAB = 'named-volume-masks-image';
/** How long the feature probe used to wait for a sandbox that had died long before. */
const OLD_PROBE_TIMEOUT_MS = 90_000;

const node = () => {
  const s = statSync(TUN);
  return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, ino: s.ino, rdev: s.rdev };
};
const octal = (mode: number) => `0${mode.toString(8)}`;

// What this file changes on the host, for `npm test`'s sweep to undo should the run be
// killed before its own after() hooks (scripts/remove-test-leftovers.ts).
recordHostChange({ pid: process.pid, device: TUN, mode: node().mode, bindMounted: false });
after(() => rmSync(HOST_CHANGE, { force: true }));

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a lab starts whatever mode the host’s /dev/net/tun has', { timeout: 600_000 }, () => {
  const original = node();
  let platform: TestPlatform;

  before(async () => {
    platform = await startPlatform({}, { listen: true });
  });

  after(async () => {
    chmodSync(TUN, original.mode);
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
    assert.equal(node().mode, original.mode, 'the host’s /dev/net/tun has its original mode again');
  });

  for (const mode of [0o600, 0o666]) {
    it(`starts a lab to a shell prompt when the host’s node is mode ${octal(mode)}, and leaves the node as it was`, async () => {
      try {
        chmodSync(TUN, mode);
        const set = node();
        const [session] = await readySessions(platform, LAB, 1);
        const terminal = await openTerminal(platform, session);
        try {
          terminal.type('echo "engine $(docker version --format {{.Server.Version}})"\r');
          await terminal.waitForOutput(/engine \d+\.\d+/, 30_000);
        } finally {
          terminal.close();
        }
        assert.deepEqual(node(), set, 'the sandbox changed nothing of the host’s /dev/net/tun');
        await platform.sessions.end(session, 'stopped');
      } finally {
        chmodSync(TUN, original.mode);
      }
    });
  }

  it('refuses to change the host’s own node when it is bind-mounted into the sandbox, and says what the host needs', async () => {
    // An outer engine in a user namespace (rootless Docker, userns-remap) passes
    // devices as bind mounts of the host's nodes; this test's engine runs as root and
    // makes the container its own node, so the test bind-mounts the host's node itself.
    const docker = new Docker();
    const image = platform.app.labs.recipes.find((r) => r.slug === 'sandbox')!.tag;
    const hostConfig = hostConfigFor('rootless', {
      memoryBytes: 512 * 1024 ** 2,
      diskBytes: 512 * 1024 ** 2,
      nanoCpus: 1e9,
      pidsLimit: 512,
    });
    try {
      chmodSync(TUN, 0o600);
      const set = node();
      const container = await docker.createContainer({
        Image: image,
        Labels: { [LABEL.platform]: PLATFORM, [LABEL.owner]: platform.owner },
        Env: ['DRYDOCK_PROFILE=rootless', `DRYDOCK_DEVICES=${TUN}`],
        HostConfig: {
          ...hostConfig,
          Devices: [],
          Binds: [`${TUN}:${TUN}`],
          DeviceCgroupRules: [`c ${set.rdev >> 8}:${set.rdev & 0xff} rwm`],
        },
      });
      try {
        await container.start();
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        const log = demuxLog(await container.logs({ stdout: true, stderr: true, follow: false }));
        assert.equal(StatusCode, 78, `the sandbox stopped with EX_CONFIG; its log:\n${log}`);
        assert.match(
          log,
          /drydock-entrypoint: .*could not open \/dev\/net\/tun.*host's own device node/,
        );
        assert.match(log, /chmod 0666 \/dev\/net\/tun/);
        assert.deepEqual(node(), set, 'the host’s /dev/net/tun is unchanged');
      } finally {
        await container.remove({ force: true, v: true });
      }
    } finally {
      chmodSync(TUN, original.mode);
    }
  });
});

describe('a sandbox that dies while starting', { timeout: 600_000 }, () => {
  const owner = newOwner('host-devices');
  const stateDir = mkdtempSync(join(tmpdir(), 'drydock-state-'));
  let server: ReturnType<typeof spawn> | undefined;
  let faulted = false;
  const heal = () => {
    if (faulted) execFileSync('umount', [TUN]);
    faulted = false;
  };

  after(async () => {
    heal();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    rmSync(stateDir, { recursive: true, force: true });
    assert.deepEqual(await leftovers(owner), [], 'the server left resources behind');
  });

  it('is reported with its reason and its log within seconds, retried further apart, and labs come back once the host is fixed', async (t) => {
    const before = node();
    // The fault, real and on the host: /dev/net/tun is not the TUN device (here /dev/null
    // bind-mounted over it; the original node is untouched and comes back with umount), so
    // every rootless sandbox dies at once while its engine sets up the tap device.
    recordHostChange({ pid: process.pid, device: TUN, mode: before.mode, bindMounted: true });
    execFileSync('mount', ['--bind', '/dev/null', TUN]);
    faulted = true;

    // `drydock doctor` names the fault before any sandbox is tried.
    const [device] = checkDevices(loadConfig({}));
    assert.equal(device?.status, 'fail', device?.detail);
    assert.match(device.detail, /not the kernel's device 10:200 \(found device 1:3\)/);
    assert.match(device.fix ?? '', /umount \/dev\/net\/tun/);

    // The sandbox's death, as the engine reports it.
    const docker = new Docker();
    const events = (await docker.getEvents({
      filters: { type: ['container'], event: ['die'], label: [`${LABEL.owner}=${owner}`] },
    })) as unknown as Readable;
    let diedAt: number | undefined;
    events.on('data', () => (diedAt ??= Date.now()));

    // A fresh state directory: no feature probe cached from an earlier run, so the server
    // starts a probe sandbox at once.
    server = spawn(process.execPath, ['lab-server/server.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DRYDOCK_PORT: '0',
        DRYDOCK_LOG_LEVEL: 'info',
        DRYDOCK_OWNER: owner,
        DRYDOCK_STATE_DIR: stateDir,
        DRYDOCK_SHUTDOWN: 'remove',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    server.stdout!.on('data', (chunk) => (log += chunk));
    try {
      const port = await until(
        () => /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1],
        'the server to listen',
        60_000,
      );
      const status = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/status`);
        return ((await res.json()) as { labs: { state: string; reason?: string } }).labs;
      };

      const unavailable = await until(
        async () => {
          const labs = await status();
          return labs.state === 'unavailable' ? labs : undefined;
        },
        'labs to be reported unavailable',
        OLD_PROBE_TIMEOUT_MS,
      );
      const seen = Date.now();
      assert.ok(diedAt, 'the engine reported the probe sandbox’s death');
      t.diagnostic(`from the sandbox's death to the status saying why: ${seen - diedAt} ms`);
      assert.ok(
        seen - diedAt < OLD_PROBE_TIMEOUT_MS / 3,
        `the death was noticed well before the old timeout (${seen - diedAt} ms)`,
      );
      assert.match(
        unavailable.reason ?? '',
        /^Sandboxes cannot start on this host: the sandbox's engine could not set up its network on \/dev\/net\/tun: ioctl\(TUNSETIFF\)/,
      );
      // The operator's evidence: the plain reason and the sandbox's own last lines.
      assert.match(
        log,
        /labs unavailable: sandboxes cannot start on this host: .*trying again in 5 s/,
      );
      assert.match(
        log,
        /The sandbox's log ended with:\\n.*\| \[rootlesskit:parent\] error: failed to setup network/,
      );
      assert.match(log, /"sandboxLog":\[.*Inappropriate ioctl for device/);

      // The server keeps trying, further apart each time, while the host stays broken.
      await until(
        () => (/trying again in 10 s/.test(log) ? true : undefined),
        'a second try, 5 s after the first',
        60_000,
      );
      heal();
      const ready = await until(
        async () => {
          const labs = await status();
          return labs.state === 'ready' ? labs : undefined;
        },
        'labs to come back without a restart',
        180_000,
      );
      assert.equal(ready.state, 'ready');
      assert.equal(server.exitCode, null, 'the same server process brought labs back');
      assert.match(log, /"labs ready/);
      assert.deepEqual(node(), before, 'the host’s /dev/net/tun is as it was');
    } finally {
      events.destroy();
      heal();
    }
  });
});

describe('a test run killed while it had changed the host', () => {
  /** What a run killed mid-test leaves: its record (an ended process stands for it) and /dev/null over the node. */
  const leaveAsKilledRunWould = () => {
    const original = node();
    recordHostChange({
      pid: spawnSync('true').pid,
      device: TUN,
      mode: original.mode,
      bindMounted: true,
    });
    execFileSync('mount', ['--bind', '/dev/null', TUN]);
    return original;
  };
  const unmountIfLeft = (original: ReturnType<typeof node>) => {
    if (node().rdev !== original.rdev) execFileSync('umount', [TUN]);
  };

  it('is undone by the next run’s sweep: the bind mount goes and the node’s mode comes back', () => {
    const original = leaveAsKilledRunWould();
    try {
      assert.match(undoHostChangeOfDeadRun() ?? '', /restored \/dev\/net\/tun/);
      assert.deepEqual(node(), original, 'the host’s own node again, with its mode');
      assert.ok(!existsSync(HOST_CHANGE), 'the record is gone once undone');
    } finally {
      unmountIfLeft(original);
    }
  });

  it('is undone by the sweep of a run from another checkout, which has a state directory of its own', () => {
    const original = leaveAsKilledRunWould();
    const elsewhere = mkdtempSync(join(tmpdir(), 'drydock-other-checkout-'));
    try {
      const swept = execFileSync(process.execPath, ['scripts/remove-test-leftovers.ts'], {
        cwd: ROOT,
        env: { ...process.env, DRYDOCK_STATE_DIR: elsewhere },
        encoding: 'utf8',
      });
      assert.match(swept, /restored \/dev\/net\/tun \(mode 0\d+, bind mount removed\)/);
      assert.deepEqual(node(), original, 'the host’s own node again, with its mode');
      assert.ok(!existsSync(HOST_CHANGE), 'the record is gone once undone');
    } finally {
      unmountIfLeft(original);
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
