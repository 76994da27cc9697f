/**
 * `drydock doctor` on this machine, with its real engine: each line it prints is
 * compared with what the test can observe itself (the engine's version, the
 * cgroup layout, device modes, which images exist), and the probe sandbox it
 * starts is gone afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Docker from 'dockerode';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import type { ClassRecord } from '../../lab-server/store/class-store.ts';
import { SessionStore } from '../../lab-server/store/session-store.ts';
import { drydock } from '../support/cli.ts';
import { ROOT } from '../support/platform.ts';

interface Finding {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

async function doctor(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; findings: Finding[] }> {
  const run = await drydock(['doctor', '--json', ...args], env);
  const report = JSON.parse(run.stdout) as { ok: boolean; findings: Finding[] };
  assert.equal(report.ok, run.code === 0, 'exit code and "ok" disagree');
  return { code: run.code, findings: report.findings };
}

/** The probe sandboxes (owner doctor-…) in the engine, each as its name and state. */
async function probeSandboxes(docker: Docker): Promise<string[]> {
  const all = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.platform}=${PLATFORM}`] },
  });
  return all
    .filter((c) => c.Labels[LABEL.owner]?.startsWith('doctor-'))
    .map((c) => `${c.Names[0]!} (${c.State}: ${c.Status})`);
}
const nameOf = (listed: string) => listed.split(' ')[0]!;

const find = (findings: Finding[], id: string) => {
  const found = findings.find((f) => f.id === id);
  assert.ok(found, `no finding "${id}"`);
  return found;
};

describe('drydock doctor on this machine', () => {
  const docker = new Docker();

  it('reports what the test sees itself: engine version, cgroups, devices, images', async () => {
    const { code, findings } = await doctor(['--quick']);
    const engine = find(findings, 'engine');
    assert.equal(engine.status, 'ok');
    assert.ok(engine.detail.includes((await docker.version()).Version), engine.detail);

    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    assert.match(find(findings, 'cgroup').detail, v2 ? /^cgroup v2/ : /^cgroup v1/);

    for (const device of ['/dev/net/tun']) {
      const f = find(findings, `device:${device}`);
      if (existsSync(device)) {
        const mode = (statSync(device).mode & 0o777).toString(8).padStart(4, '0');
        assert.equal(f.status, 'ok', 'a present device is fine whatever its mode');
        assert.ok(f.detail.includes(`mode ${mode}`), f.detail);
      } else assert.equal(f.status, 'fail', 'rootless sandboxes cannot start without it');
    }

    for (const recipe of loadImageCatalog(join(ROOT, 'images'))) {
      const exists = await docker
        .getImage(recipe.tag)
        .inspect()
        .then(() => true)
        .catch(() => false);
      const f = find(findings, `image:${recipe.slug}`);
      assert.equal(f.status === 'ok', exists, `${recipe.tag}: ${f.detail}`);
    }
    assert.equal(find(findings, 'probe').detail, 'skipped (--quick)');
    // npm test installs libjemalloc2, as npm start does.
    assert.equal(find(findings, 'jemalloc').status, 'ok', find(findings, 'jemalloc').detail);
    for (const f of findings.filter((x) => x.status === 'fail'))
      assert.ok(f.fix, `${f.id} fails without a fix`);
    assert.equal(code, findings.some((f) => f.status === 'fail') ? 1 : 0);
  });

  it('says for each class not over yet whether this machine holds it, and how to make it fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-classes-'));
    const database = `sqlite:${join(dir, 'drydock.sqlite')}`;
    const HOUR = 3_600_000;
    const aClass = (id: string, name: string, opensAt: number, size: number): ClassRecord => ({
      id,
      name,
      labs: ['named-volume-masks-image'],
      opensAt,
      closesAt: opensAt + 3 * HOUR,
      expectedSize: size,
      joinCode: id
        .slice(2, 10)
        .toUpperCase()
        .replace(/[^0-9A-HJKMNP-TV-Z]/g, '0'),
      ownerId: null,
      createdAt: Date.now(),
      endedAt: null,
    });
    try {
      const store = await SessionStore.open({
        dialect: 'sqlite',
        path: join(dir, 'drydock.sqlite'),
      });
      const morning = aClass('c_morningAAAAA', 'Morning group', Date.now() + HOUR, 12);
      const big = aClass('c_bigroomBBBBB', 'Whole department', Date.now() + 24 * HOUR, 25);
      const ended = aClass('c_endedCCCCCC', 'Called off', Date.now() + HOUR, 40);
      for (const record of [morning, big, ended]) assert.ok(await store.classes.addClass(record));
      await store.classes.endClass(ended.id, Date.now());
      await store.close();

      // 11 GiB planned, less the 1 GiB reserve: 20 sandboxes of 512 MiB, under a maximum of 30.
      const { findings } = await doctor(['--quick'], {
        DRYDOCK_DATABASE_URL: database,
        DRYDOCK_HOST_MEMORY: '11g',
        DRYDOCK_MAX_SANDBOXES: '30',
      });
      const fits = find(findings, `class:${morning.id}`);
      assert.equal(fits.status, 'ok', fits.detail);
      assert.match(
        fits.detail,
        /^“Morning group”, opens \d{4}-\d\d-\d\d \d\d:\d\d UTC: Fits: 12 learners/,
      );
      assert.match(
        fits.detail,
        /memory: about 20 sandboxes of 512 MiB fit; DRYDOCK_MAX_SANDBOXES=30 allows 30/,
      );
      const tooBig = find(findings, `class:${big.id}`);
      assert.equal(tooBig.status, 'warn');
      assert.match(tooBig.detail, /Does not fit: 25 learners, but only 20 sandboxes at once/);
      assert.match(tooBig.fix!, /add memory \(about 3 GiB more for 5 more sandboxes\)/);
      assert.ok(
        !findings.some((f) => f.id === `class:${ended.id}`),
        'an ended class is not planned',
      );

      const none = await doctor(['--quick'], {
        DRYDOCK_DATABASE_URL: `sqlite:${join(dir, 'never-made.sqlite')}`,
      });
      assert.equal(find(none.findings, 'classes').status, 'ok');
      assert.ok(!existsSync(join(dir, 'never-made.sqlite')), 'doctor makes no database');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a real probe sandbox, reports how it went, and leaves nothing behind', async () => {
    const { findings } = await doctor([]);
    const probe = find(findings, 'probe');
    // Engine tests need working sandboxes on this host (startPlatform insists), so the probe must start one.
    assert.notEqual(probe.status, 'fail', probe.detail);
    assert.match(probe.detail, /sandbox started in [\d.]+ s/);
    assert.deepEqual(await probeSandboxes(docker), []);
  });

  it('removes its probe sandbox when interrupted with Ctrl-C, and exits 130', async () => {
    // Only this run's probe: one an earlier test left behind is that test's failure.
    const before = new Set((await probeSandboxes(docker)).map(nameOf));
    const ours = async () =>
      (await probeSandboxes(docker)).filter((listed) => !before.has(nameOf(listed)));
    const child = spawn(process.execPath, [`${ROOT}lab-server/cli/main.ts`, 'doctor'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 60_000;
      while ((await ours()).length === 0) {
        assert.ok(Date.now() < deadline, `no probe sandbox appeared: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 130, stderr);
      assert.match(stderr, /interrupted: removing what this command started/);
      assert.deepEqual(await ours(), []);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('removes, on its next run, the probe sandbox of a doctor that was killed', async () => {
    const before = new Set((await probeSandboxes(docker)).map(nameOf));
    const ours = async () =>
      (await probeSandboxes(docker)).filter((listed) => !before.has(nameOf(listed)));
    // SIGKILL: the doctor cannot clean up, as when its terminal is closed or the OOM killer ends it.
    const child = spawn(process.execPath, [`${ROOT}lab-server/cli/main.ts`, 'doctor'], {
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 60_000;
      while ((await ours()).length === 0) {
        assert.ok(Date.now() < deadline, 'no probe sandbox appeared');
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    const left = await ours();
    assert.equal(left.length, 1, 'the killed doctor leaves its probe sandbox behind');

    const { findings } = await doctor([]);
    const probe = find(findings, 'probe');
    assert.notEqual(probe.status, 'fail', probe.detail);
    assert.match(probe.detail, /removed 1 probe sandbox that a killed doctor left behind/);
    assert.deepEqual(await ours(), []);
  });
});
