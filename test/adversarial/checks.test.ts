/**
 * A learner tries to fool or hang a lab's checks: tools shadowed on PATH, shell
 * profiles, fake binaries bind-mounted over the real ones in their own mount
 * namespace, a frozen engine. Checks run with `/usr/lib/drydock/enter check` (the
 * engine's user and network namespaces, the sandbox's own mount and PID
 * namespaces), so none of it may change a verdict or hang the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../lab-server/sessions/session.ts';
import { asLearner, assertServerAnswers, readySessions } from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';

/** A fake that leaves a trace and then hangs: if a check ever ran it, the check would hang and the trace would show. */
const FAKE = `#!/bin/sh
echo "FAKE $0 $*" >> /tmp/fake-called
echo "FAKE: everything is fine"
sleep 3600
`;

interface CheckResponse {
  results: { task: string; passed: boolean; output: string; durationMs: number }[];
}

describe('checks a learner cannot fool or hang', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let session: Session;
  let baseline: CheckResponse;

  const check = async (): Promise<{ body: CheckResponse; ms: number }> => {
    const started = Date.now();
    const res = await fetch(`${platform.url}/api/sessions/${session.id}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(res.status, 200);
    return { body: (await res.json()) as CheckResponse, ms: Date.now() - started };
  };

  /** Reads the fakes' trace without bash (which the last test replaces in the learner's namespace). */
  const fakeTrace = async () =>
    (
      await session.sandbox!.exec(['/bin/sh', '-c', 'cat /tmp/fake-called 2>/dev/null; true'], {
        as: 'shell',
        timeoutMs: 10_000,
      })
    ).output;

  const assertStillBroken = (body: CheckResponse, where: string) => {
    assert.equal(body.results.length, baseline.results.length);
    for (const result of body.results) {
      const before = baseline.results.find((r) => r.task === result.task)!;
      assert.equal(
        result.passed,
        false,
        `${where}: ${result.task} passed on the broken scenario: ${result.output}`,
      );
      assert.doesNotMatch(result.output, /FAKE/, `${where}: ${result.task} ran a fake`);
      // A real reason, like before the tricks (the wording follows the service's restart loop, so it is not compared).
      assert.ok(
        result.output.length > 10 && before.output.length > 10,
        `${where}: ${result.task} says why it fails`,
      );
    }
  };

  before(async () => {
    platform = await startPlatform({ DRYDOCK_IDLE_TIMEOUT: '30m' }, { listen: true });
    [session] = await readySessions(platform, LAB, 1);
    baseline = (await check()).body;
    for (const result of baseline.results)
      assert.equal(result.passed, false, `${result.task} fails before any fix`);
  });

  after(async () => {
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('ignores docker and bash shadowed on PATH, edited profiles and BASH_ENV', async (t) => {
    const tricks = await asLearner(
      session,
      `mkdir -p /root/bin
       for tool in docker bash timeout sh; do printf '%s' "$FAKE" > /root/bin/$tool; chmod +x /root/bin/$tool; done
       for f in /root/.bashrc /root/.profile /root/.bash_profile; do
         printf 'export PATH=/root/bin:$PATH\\nexport BASH_ENV=/root/.evil\\nalias docker=/root/bin/docker\\n' >> $f
       done
       printf 'docker() { /root/bin/docker "$@"; }\\nexport -f docker\\n' > /root/.evil
       printf '%s' "$FAKE" > /usr/local/bin/docker; echo "usr-local-bin-rc=$?"
       printf '%s' "$FAKE" > /usr/bin/docker; echo "usr-bin-rc=$?"
       # The fakes hang on purpose: run this proof in the background, its trace is written at once.
       PATH=/root/bin:$PATH docker ps >/dev/null 2>&1 &
       sleep 0.5`,
      { env: { FAKE } },
    );
    t.diagnostic(tricks.output.trim().replaceAll('\n', ' | '));
    // /usr/local is the learner's to install tools in, as on any host; checks never look there.
    assert.match(tricks.output, /usr-local-bin-rc=0/);
    assert.match(tricks.output, /\/usr\/bin\/docker: Read-only file system/);
    assert.match(
      await fakeTrace(),
      /FAKE \/root\/bin\/docker ps/,
      'the shadowing works in the learner’s own shell',
    );
    await asLearner(session, 'rm -f /tmp/fake-called');

    const { body, ms } = await check();
    t.diagnostic(`check took ${ms} ms`);
    assertStillBroken(body, 'after PATH and profile tricks');
    assert.equal(await fakeTrace(), '', 'no check ran a fake');
  });

  it('ignores fakes bind-mounted over /usr/bin/docker and /usr/local/bin in the learner’s mount namespace', async (t) => {
    const tricks = await asLearner(
      session,
      `printf '%s' "$FAKE" > /root/fake && chmod +x /root/fake
       mount --bind /root/fake /usr/bin/docker; echo "bind-docker-rc=$?"
       mount -t tmpfs tmpfs /usr/local/bin; echo "tmpfs-local-bin-rc=$?"
       for tool in docker bash timeout; do cp /root/fake /usr/local/bin/$tool; done
       /usr/bin/docker ps >/dev/null 2>&1 &
       sleep 0.5`,
      { env: { FAKE } },
    );
    t.diagnostic(tricks.output.trim().replaceAll('\n', ' | '));
    assert.match(
      tricks.output,
      /bind-docker-rc=0/,
      'the learner, root in their user namespace, can mount in their own mount namespace',
    );
    assert.match(tricks.output, /tmpfs-local-bin-rc=0/);
    assert.match(
      await fakeTrace(),
      /FAKE \/usr\/bin\/docker ps/,
      'their shell now runs the fake as /usr/bin/docker',
    );
    await asLearner(session, 'rm -f /tmp/fake-called');

    const { body, ms } = await check();
    t.diagnostic(`check took ${ms} ms`);
    assertStillBroken(body, 'after bind mounts');
    assert.equal(await fakeTrace(), '', 'no check ran a fake');
  });

  it('times out a check whose engine never answers, and the server answers meanwhile', async (t) => {
    // /usr/bin/timeout by its full name: the previous test left a fake `timeout` first on the learner's PATH.
    const freeze = await asLearner(
      session,
      'kill -STOP $(pidof dockerd containerd); echo "stopped-rc=$?"; /usr/bin/timeout 3 /usr/bin/docker version >/dev/null 2>&1; echo "frozen-rc=$?"',
    );
    t.diagnostic(freeze.output.trim().replaceAll('\n', ' | '));
    try {
      assert.match(freeze.output, /stopped-rc=0/);
      assert.match(freeze.output, /frozen-rc=124/, 'the engine is frozen (docker version hangs)');
      await hangingCheck(t);
    } finally {
      await asLearner(session, 'kill -CONT $(pidof dockerd containerd)');
    }
    // Asked the way checks ask (the learner's /usr/bin/docker is a fake since the previous test).
    const thawed = await session.sandbox!.exec(
      ['docker', 'version', '--format', '{{.Server.Version}}'],
      { as: 'check', timeoutMs: 10_000 },
    );
    assert.equal(thawed.exitCode, 0, `the engine answers again after SIGCONT: ${thawed.output}`);
  });

  /** Runs the checks against a frozen engine while polling /api/status. */
  const hangingCheck = async (t: { diagnostic(message: string): void }) => {
    const timeoutS = platform.app.labs.lab(LAB)!.manifest.checkTimeout;
    let polls = 0;
    let slowest = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = Date.now();
        await assertServerAnswers(platform, 2000);
        slowest = Math.max(slowest, Date.now() - started);
        polls++;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      const { body, ms } = await check();
      t.diagnostic(
        `check took ${ms} ms (check timeout ${timeoutS} s); /api/status answered ${polls} times meanwhile, slowest ${slowest} ms`,
      );
      assert.ok(
        ms < (timeoutS + 10) * 1000,
        `the check returned within its timeout and a few seconds (${ms} ms)`,
      );
      for (const result of body.results) {
        assert.equal(result.passed, false);
        assert.match(result.output, /did not finish within/, `${result.task}: ${result.output}`);
      }
      assert.ok(polls > timeoutS, 'the server kept answering while the check hung');
    } finally {
      polling = false;
      await poller;
    }
  };

  it('asks the sandbox’s own engine, not one the learner points the engine socket to', async (t) => {
    // Found by this suite: checks used to reach the engine through
    // /run/user/1000/docker.sock, which the learner (root in the engine's
    // namespace) can rename and replace with a symlink to a second engine of their
    // own. The sandbox's init now bind-mounts the real socket at
    // /run/drydock/engine.sock, in the sandbox's own mount namespace, and checks
    // use that: the swap below must change nothing a check sees.
    const engineId = async () =>
      (
        await session.sandbox!.exec(['docker', 'info', '--format', '{{.ID}} {{.DockerRootDir}}'], {
          as: 'check',
          timeoutMs: 10_000,
        })
      ).output.trim();
    const real = await engineId();
    assert.match(real, / \/var\/lib\/docker$/);
    const swap = await asLearner(
      session,
      `mkdir -p /tmp/d2 && echo '{}' > /tmp/d2/daemon.json
       dockerd --config-file /tmp/d2/daemon.json --data-root /tmp/d2/data --exec-root /tmp/d2/exec --pidfile /tmp/d2/pid \
         -H unix:///tmp/d2/sock --bridge=none --iptables=false --storage-driver vfs >/tmp/d2/log 2>&1 &
       for i in $(seq 60); do [ -S /tmp/d2/sock ] && break; sleep 0.5; done
       tail -n 2 /tmp/d2/log
       mv /run/user/1000/docker.sock /run/user/1000/real.sock && ln -s /tmp/d2/sock /run/user/1000/docker.sock; echo "swap-rc=$?"`,
      { timeoutMs: 60_000 },
    );
    t.diagnostic(swap.output.trim().replaceAll('\n', ' | '));
    assert.match(swap.output, /swap-rc=0/, 'the learner could replace the socket checks use');
    try {
      const seen = await engineId();
      t.diagnostic(`checks ask: before the swap ${real}; after it ${seen}`);
      const { body } = await check();
      t.diagnostic(
        `verdicts now come from the learner's engine: ${body.results.map((r) => `${r.task}: ${r.output.split('\n')[0]}`).join(' | ')}`,
      );
      assert.equal(
        seen,
        real,
        'the check path must reach the sandbox’s own engine, whatever the learner does to /run/user/1000',
      );
    } finally {
      await session.sandbox!.exec(
        [
          '/bin/sh',
          '-c',
          'rm -f /run/user/1000/docker.sock; mv /run/user/1000/real.sock /run/user/1000/docker.sock; kill $(cat /tmp/d2/pid)',
        ],
        { as: 'shell', timeoutMs: 10_000 },
      );
    }
  });

  it('ignores fakes bind-mounted over /bin/bash and /usr/bin/timeout, which checks start with', async (t) => {
    // Last: this breaks the learner's own shell for good (every new bash is the fake).
    const tricks = await session.sandbox!.exec(
      [
        '/bin/sh',
        '-c',
        'printf "%s" "$FAKE" > /root/fake2 && chmod +x /root/fake2 && mount --bind /root/fake2 /bin/bash && mount --bind /root/fake2 /usr/bin/timeout; echo "bind-rc=$?"; /usr/bin/timeout 2 /bin/bash -c true >/dev/null 2>&1 & sleep 0.5; echo done',
      ],
      { as: 'shell', env: { FAKE }, timeoutMs: 20_000 },
    );
    t.diagnostic(tricks.output.trim().replaceAll('\n', ' | '));
    assert.match(tricks.output, /bind-rc=0/);
    assert.match(
      await fakeTrace(),
      /FAKE \/usr\/bin\/timeout 2 \/bin\/bash/,
      'the learner’s namespace now runs the fakes',
    );
    await session.sandbox!.exec(['/bin/rm', '-f', '/tmp/fake-called'], {
      as: 'shell',
      timeoutMs: 10_000,
    });

    const { body, ms } = await check();
    t.diagnostic(`check took ${ms} ms`);
    assertStillBroken(body, 'after replacing bash and timeout');
    assert.equal(await fakeTrace(), '', 'no check ran a fake');
  });
});
