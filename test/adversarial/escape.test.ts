/**
 * A hostile learner tries to break out of a rootless sandbox, from the shell
 * and from the most privileged inner container their engine grants. Each test
 * shows that the attack ran (the command was executed and returned an error),
 * that it failed, and that the host, the server and a neighbour are unharmed.
 * What stopped each attack is recorded in docs/threat-model.md.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { Session } from '../../lab-server/sessions/session.ts';
import {
  asLearner,
  assertNeighbourWorks,
  assertServerAnswers,
  inPrivilegedContainer,
  readySessions,
} from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';

/** major:minor of the host's root file system, as the host sees it. */
function hostRootDevice(): { major: number; minor: number } {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields[4] === '/') {
      const [major, minor] = fields[2]!.split(':').map(Number);
      return { major: major!, minor: minor! };
    }
  }
  throw new Error('no root mount in /proc/self/mountinfo');
}

/** A host sysctl's value; this host's kernel may lack some (no module support: no kernel/modprobe). */
const hostSysctl = (name: string) =>
  existsSync(`/proc/sys/${name}`)
    ? readFileSync(`/proc/sys/${name}`, 'utf8')
    : '(absent on this host)';
const cmdline = (pid: number | string) =>
  readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();

describe('escapes from a rootless sandbox', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let attacker: Session;
  let neighbour: Session;
  let canaryDir = '';
  // The needle is passed in two halves: no command line or environment inside
  // the sandbox ever holds it whole, so only the host's file can match.
  const needle = [randomBytes(12).toString('hex'), randomBytes(12).toString('hex')] as const;
  const needleEnv = { NEEDLE_A: needle[0], NEEDLE_B: needle[1] };
  const sysctls = [
    'kernel/core_pattern',
    'kernel/hostname',
    'kernel/modprobe',
    'kernel/domainname',
  ];
  const hostSysctlsBefore = new Map(sysctls.map((name) => [name, hostSysctl(name)]));

  before(async () => {
    canaryDir = mkdtempSync(join(tmpdir(), 'drydock-canary-'));
    writeFileSync(join(canaryDir, 'canary.txt'), `${needle[0]}${needle[1]}\n`);
    platform = await startPlatform({ DRYDOCK_IDLE_TIMEOUT: '30m' }, { listen: true });
    [attacker, neighbour] = await readySessions(platform, LAB, 2);
  });

  after(async () => {
    if (canaryDir) rmSync(canaryDir, { recursive: true, force: true });
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  const afterEach = async () => {
    for (const name of sysctls)
      assert.equal(hostSysctl(name), hostSysctlsBefore.get(name), `host sysctl ${name} changed`);
    await assertServerAnswers(platform);
    await assertNeighbourWorks(neighbour);
  };

  it('cannot create the host’s root block device, nor mount any block device', async (t) => {
    const { major, minor } = hostRootDevice();
    // Errors go to stdout: stdout and stderr reach the test as two streams, and a
    // message written in pieces ("mknod: ", then the rest) could come apart.
    const script = `
      echo "ran as $(id -u)"
      mkdir -p /tmp/hostdisk
      mknod /tmp/vda b ${major} ${minor} 2>&1; echo "mknod-rc=$?"
      mount /tmp/vda /tmp/hostdisk 2>&1; echo "mount-node-rc=$?"
      for dev in /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda; do mount "$dev" /tmp/hostdisk 2>&1; echo "mount-$dev-rc=$?"; done
      ls /tmp/hostdisk | wc -l | sed 's/^/hostdisk-entries=/'`;
    for (const [where, run] of [
      ['shell', asLearner],
      ['privileged container', inPrivilegedContainer],
    ] as const) {
      const result = await run(attacker, script);
      t.diagnostic(`${where}: ${result.output.trim().replaceAll('\n', ' | ')}`);
      assert.match(
        result.output,
        /ran as 0\b/,
        `${where}: the attack ran as root in the sandbox's user namespace`,
      );
      assert.match(result.output, /mknod: .*Operation not permitted/, `${where}: mknod is refused`);
      assert.match(result.output, /mknod-rc=1/);
      assert.doesNotMatch(result.output, /mount-\S+-rc=0/, `${where}: no block device was mounted`);
      assert.match(result.output, /hostdisk-entries=0/);
    }
    await afterEach();
  });

  it('cannot load a kernel module nor point the kernel’s module helper elsewhere', async (t) => {
    // A garbage module: init_module checks the capability before it reads the image.
    // The messages asserted on go to stdout, in order (see the block device's test).
    const shell = await asLearner(
      attacker,
      `head -c 4096 /dev/urandom > /tmp/evil.ko
       docker run --rm -v /tmp/evil.ko:/evil.ko --cap-add ALL --security-opt seccomp=unconfined drydock/lab-base sh -c 'insmod /evil.ko 2>&1; echo "insmod-rc=$?"; modprobe dummy; echo "modprobe-rc=$?"'
       date -s @0 2>&1 >/dev/null; echo "settime-rc=$?"
       echo /tmp/evil > /proc/sys/kernel/modprobe; echo "proc-modprobe-rc=$?"
       mkdir -p /tmp/p && mount -t proc proc /tmp/p; echo "fresh-proc-rc=$?"
       echo /tmp/evil > /tmp/p/sys/kernel/modprobe; echo "fresh-modprobe-rc=$?"`,
    );
    t.diagnostic(shell.output.trim().replaceAll('\n', ' | '));
    assert.match(shell.output, /insmod-rc=[1-9]/);
    // This host's kernel has no module support (ENOSYS comes before the capability
    // check); on a kernel with modules, init_module answers EPERM without
    // CAP_SYS_MODULE in the host's user namespace, like every such capability:
    assert.match(
      shell.output,
      /insmod: .*(not permitted|kernel does not support requested operation)/i,
    );
    assert.match(
      shell.output,
      /date: .*Operation not permitted/,
      'no capability in the host’s user namespace (CAP_SYS_TIME as a witness)',
    );
    assert.match(shell.output, /settime-rc=1/);
    assert.match(shell.output, /modprobe-rc=[1-9]/);
    assert.match(shell.output, /proc-modprobe-rc=1/);
    assert.match(shell.output, /fresh-modprobe-rc=1/);
    await afterEach();
  });

  it('cannot change core_pattern or other host sysctls, also through a fresh procfs', async (t) => {
    const script = `
      mkdir -p /tmp/p2; mount -t proc proc /tmp/p2; echo "fresh-proc-rc=$?"
      for root in /proc /tmp/p2; do
        for name in kernel/core_pattern kernel/hostname kernel/domainname kernel/modprobe kernel/panic vm/drop_caches; do
          echo '|/tmp/pwn' > "$root/sys/$name"; echo "$root/sys/$name-rc=$?"
        done
      done`;
    for (const [where, run] of [
      ['shell', asLearner],
      ['privileged container', inPrivilegedContainer],
    ] as const) {
      const result = await run(attacker, script);
      t.diagnostic(`${where}: ${result.output.trim().replaceAll('\n', ' | ')}`);
      assert.match(result.output, /fresh-proc-rc=\d+/, `${where}: the attack ran`);
      assert.doesNotMatch(
        result.output,
        /-rc=0\b(?<!fresh-proc-rc=0)/,
        `${where}: no sysctl write succeeded`,
      );
      assert.match(result.output, /\/proc\/sys\/kernel\/core_pattern-rc=1/);
    }
    await afterEach();
  });

  it('cannot mount a new cgroup v1 hierarchy nor write any release_agent', async (t) => {
    const script = `
      mkdir -p /tmp/cg
      for opts in rdma memory pids none,name=drydock-escape; do
        mount -t cgroup -o "$opts" cgroup /tmp/cg; echo "mount-cgroup-$opts-rc=$?"
        if [ -e /tmp/cg/release_agent ]; then echo "found release_agent under $opts"; echo /tmp/pwn > /tmp/cg/release_agent; echo "write-$opts-rc=$?"; umount /tmp/cg; fi
      done
      for f in /sys/fs/cgroup/*/release_agent; do [ -e "$f" ] || continue; echo /tmp/pwn > "$f"; echo "$f-rc=$?"; done
      echo done`;
    for (const [where, run] of [
      ['shell', asLearner],
      ['privileged container', inPrivilegedContainer],
    ] as const) {
      const result = await run(attacker, script);
      t.diagnostic(`${where}: ${result.output.trim().replaceAll('\n', ' | ')}`);
      assert.match(result.output, /mount-cgroup-memory-rc=\d+/, `${where}: the attack ran`);
      assert.doesNotMatch(
        result.output,
        /mount-cgroup-\S+-rc=0\b/,
        `${where}: no cgroup hierarchy was mounted`,
      );
      assert.doesNotMatch(result.output, /-rc=0\b/, `${where}: no release_agent was written`);
    }
    await afterEach();
  });

  it('cannot reach /proc/sysrq-trigger', async (t) => {
    // 'h' only prints help to the kernel log, should the write ever succeed.
    const script = `
      echo h > /proc/sysrq-trigger; echo "proc-rc=$?"
      mkdir -p /tmp/p3; mount -t proc proc /tmp/p3 && { echo h > /tmp/p3/sysrq-trigger; echo "fresh-rc=$?"; }
      echo done`;
    for (const [where, run] of [
      ['shell', asLearner],
      ['privileged container', inPrivilegedContainer],
    ] as const) {
      const result = await run(attacker, script);
      t.diagnostic(`${where}: ${result.output.trim().replaceAll('\n', ' | ')}`);
      assert.match(result.output, /proc-rc=1/, `${where}: the write was attempted and failed`);
      assert.doesNotMatch(result.output, /-rc=0\b/);
    }
    await afterEach();
  });

  it('cannot reach the outer engine, by socket or by TCP', async (t) => {
    // /var/run/docker.sock in the learner's namespace leads to their own engine, as on
    // any Docker host: what must never answer is the outer engine, told apart by its ID.
    const outerId = ((await new Docker().info()) as { ID: string }).ID;
    const script = `
      for sock in /var/run/docker.sock /run/docker.sock /host/var/run/docker.sock /run/containerd/containerd.sock; do
        id=$(curl -sS --max-time 3 --unix-socket "$sock" http://x/info 2>/dev/null | jq -r .ID 2>/dev/null); echo "$sock-rc=$? id=$id"
      done
      find / -xdev -type s 2>/dev/null | sed 's/^/socket: /'
      for host in 172.17.0.1 192.0.2.2 10.0.2.2 127.0.0.1; do
        for port in 2375 2376; do curl -sS --max-time 3 "http://$host:$port/version" >/dev/null 2>&1; echo "tcp-$host:$port-rc=$?"; done
      done
      echo done`;
    const shell = await asLearner(attacker, script);
    t.diagnostic(shell.output.trim().replaceAll('\n', ' | '));
    assert.match(
      shell.output,
      /\/var\/run\/docker\.sock-rc=0 id=\S+/,
      'the learner reaches their own engine (positive control)',
    );
    assert.ok(
      !shell.output.includes(outerId),
      'a socket in the sandbox answered with the outer engine’s ID',
    );
    assert.doesNotMatch(shell.output, /tcp-\S+-rc=0\b/);
    // The only sockets are the learner's own engine (and its containerd) and the bind
    // mount of it that checks use.
    for (const line of shell.output.split('\n').filter((l) => l.startsWith('socket: '))) {
      assert.match(
        line,
        /^socket: \/run\/(user\/1000\/|drydock\/engine\.sock$)/,
        `unexpected socket ${line}`,
      );
    }
    const container = await inPrivilegedContainer(
      attacker,
      script
        .replaceAll(
          'curl -sS --max-time 3 --unix-socket "$sock" http://x/version',
          'nc -w 3 local:"$sock" </dev/null',
        )
        .replaceAll(
          'curl -sS --max-time 3 "http://$host:$port/version"',
          'nc -w 3 "$host" "$port" </dev/null',
        ),
    );
    t.diagnostic(`container: ${container.output.trim().replaceAll('\n', ' | ')}`);
    assert.match(container.output, /tcp-192\.0\.2\.2:2375-rc=1/, 'nc ran and failed');
    assert.doesNotMatch(container.output, /-rc=0\b/);
    await afterEach();
  });

  it('sees none of the host’s processes: not the lab server, not the outer engine, not the host’s init', async (t) => {
    const outerDockerd = hostDockerdCmdlines();
    assert.ok(outerDockerd.length > 0, 'the host runs an outer dockerd (positive control)');
    const hostInit = cmdline(1);
    const script = `
      for p in /proc/[0-9]*; do printf 'proc %s %s\\n' "\${p#/proc/}" "$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)"; done
      printf 'pid1 %s\\n' "$(nsenter -t 1 -m -p cat /proc/1/cmdline | tr '\\0' ' ')"; echo "nsenter-rc=$?"
      echo done`;
    for (const [where, run] of [
      ['shell', asLearner],
      ['privileged --pid=host container', inPrivilegedContainer],
    ] as const) {
      const result = await run(attacker, script);
      const procs = result.output.split('\n').filter((l) => l.startsWith('proc '));
      t.diagnostic(
        `${where}: sees ${procs.length} processes; ${result.output.split('\n').find((l) => l.startsWith('pid1 '))}`,
      );
      assert.ok(procs.length >= 3, `${where}: the listing ran (it sees its own engine)`);
      assert.ok(
        procs.some((l) => /dockerd --config-file/.test(l)),
        `${where}: sees its own inner dockerd`,
      );
      for (const line of procs) {
        assert.doesNotMatch(
          line,
          /node|process_api|adversarial/,
          `${where}: sees a host process: ${line}`,
        );
        assert.ok(
          !outerDockerd.includes(line.replace(/^proc \d+ /, '')),
          `${where}: sees the outer dockerd: ${line}`,
        );
      }
      assert.doesNotMatch(
        result.output,
        new RegExp(`pid1 ${hostInit.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        `${where}: PID 1 is the host's init`,
      );
      assert.match(
        result.output,
        /pid1 \/proc\/self\/exe --state-dir=\/run\/user\/1000\/dockerd-rootless/,
        `${where}: PID 1 is the sandbox's rootlesskit`,
      );
    }
    await afterEach();
  });

  it('cannot read a canary file on the host, by any path it can reach', async (t) => {
    // Positive control: the same search finds a copy planted inside the sandbox.
    const search = `
      printf '%s%s\\n' "$NEEDLE_A" "$NEEDLE_B" > "$CONTROL"
      timeout 90 grep -rlsIF -D skip --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev -e "$NEEDLE_A$NEEDLE_B" / | sed 's/^/hit: /'
      for p in /proc/[0-9]*; do ls -d "$p"/root/tmp/drydock-canary-* 2>/dev/null; done | sed 's/^/hit-name: /'
      ls -d /tmp/drydock-canary-* /host/tmp/drydock-canary-* 2>/dev/null | sed 's/^/hit-name: /'
      echo done`;
    const shell = await asLearner(attacker, search, {
      timeoutMs: 120_000,
      env: { ...needleEnv, CONTROL: '/root/control.txt' },
    });
    const hits = shell.output.split('\n').filter((l) => l.startsWith('hit'));
    t.diagnostic(`shell: ${hits.join(' | ')}`);
    assert.match(shell.output, /(^|\n)done\n?$/);
    assert.ok(
      hits.includes('hit: /root/control.txt'),
      'the search finds the copy planted in the sandbox',
    );
    for (const hit of hits)
      assert.match(
        hit,
        /^hit: \S*\/control\.txt$/,
        `found something other than the planted copy: ${hit}`,
      );

    // busybox grep has no --exclude-dir: walk /host (the sandbox's root as the inner engine sees it) with find.
    // Kernel file systems hold no host files, and some of their files never end (such
    // as /proc/<pid>/pagemap): grep grew to 3 GiB until the sandbox's memory cgroup
    // killed it. So they are skipped wherever they are mounted, which includes this
    // container's own /proc and /sys seen again through its overlay under
    // /host/var/lib/docker. The way to the host through procfs, a process's root, is
    // tried by name below.
    const containerSearch = `
      printf '%s%s\\n' "$NEEDLE_A" "$NEEDLE_B" > "$CONTROL"
      set --
      for m in $(awk -F ' - ' '{ split($1, mount, " "); split($2, type, " ");
          if (type[1] ~ /^(proc|sysfs|cgroup2?|devpts|mqueue|debugfs|tracefs|securityfs|bpf|configfs|fusectl|pstore)$/) print mount[5] }' /proc/self/mountinfo); do
        set -- "$@" -path "$m" -prune -o
      done
      echo "kernel file systems skipped: $(($# / 4))"
      timeout 90 find / "$@" -path /dev -prune -o -path /host/dev -prune -o -type f -size -20000k -print0 2>/dev/null | xargs -0 grep -lsF -e "$NEEDLE_A$NEEDLE_B" | sed 's/^/hit: /'
      for p in /proc/[0-9]*; do ls -d "$p"/root/tmp/drydock-canary-* 2>/dev/null; done | sed 's/^/hit-name: /'
      echo done`;
    const container = await inPrivilegedContainer(attacker, containerSearch, {
      timeoutMs: 120_000,
      env: { ...needleEnv, CONTROL: '/tmp/control.txt' },
    });
    const containerHits = container.output.split('\n').filter((l) => l.startsWith('hit'));
    t.diagnostic(`container: ${containerHits.join(' | ')}`);
    const skipped = Number(/kernel file systems skipped: (\d+)/.exec(container.output)?.[1]);
    assert.ok(skipped >= 4, `the walk skips /proc and /sys here and under /host: ${skipped}`);
    assert.doesNotMatch(container.output, /terminated by signal/, 'grep searched every file');
    assert.match(container.output, /(^|\n)done\n?$/);
    // It also finds the shell's copy through /host/root, and its own through the engine's overlay: all inside the sandbox.
    assert.ok(
      containerHits.includes('hit: /tmp/control.txt'),
      'the search finds the copy planted in the container',
    );
    for (const hit of containerHits)
      assert.match(
        hit,
        /^hit: \S*\/control\.txt$/,
        `found something other than a planted copy: ${hit}`,
      );
    await afterEach();
  });
});

/** Command lines of the dockerd processes the host runs itself (not those inside sandboxes, which run with --config-file /etc/docker/daemon.json). */
function hostDockerdCmdlines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const line = cmdline(pid);
      if (/^(\S*\/)?dockerd(\s|$)/.test(line) && !line.includes('/etc/docker/daemon.json'))
        lines.push(line);
    } catch {
      // gone meanwhile
    }
  }
  return lines;
}
