/**
 * `drydock doctor` on this machine, with its real engine: each line it prints is
 * compared with what the test can observe itself (the engine's version, the
 * cgroup layout, device modes, which images exist), and the probe sandbox it
 * starts is gone afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Docker from 'dockerode';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import { drydock } from '../support/cli.ts';
import { ROOT } from '../support/platform.ts';

interface Finding {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

async function doctor(args: string[]): Promise<{ code: number; findings: Finding[] }> {
  const run = await drydock(['doctor', '--json', ...args]);
  const report = JSON.parse(run.stdout) as { ok: boolean; findings: Finding[] };
  assert.equal(report.ok, run.code === 0, 'exit code and "ok" disagree');
  return { code: run.code, findings: report.findings };
}

/** Names of the probe sandboxes (owner doctor-…) in the engine. */
async function probeSandboxes(docker: Docker): Promise<string[]> {
  const all = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.platform}=${PLATFORM}`] },
  });
  return all.filter((c) => c.Labels[LABEL.owner]?.startsWith('doctor-')).map((c) => c.Names[0]!);
}

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
    for (const f of findings.filter((x) => x.status === 'fail'))
      assert.ok(f.fix, `${f.id} fails without a fix`);
    assert.equal(code, findings.some((f) => f.status === 'fail') ? 1 : 0);
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
    const child = spawn(process.execPath, [`${ROOT}lab-server/cli/main.ts`, 'doctor'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 60_000;
      while ((await probeSandboxes(docker)).length === 0) {
        assert.ok(Date.now() < deadline, `no probe sandbox appeared: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 130, stderr);
      assert.match(stderr, /interrupted: removing what this command started/);
      assert.deepEqual(await probeSandboxes(docker), []);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
