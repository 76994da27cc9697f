/**
 * The compose deployment for real: `scripts/drydock image`'s build, then
 * compose.yaml brought up on the machine's engine under a project and an owner
 * of its own. A learner's session is started through the containerized
 * server's API to a ready sandbox, checked, carried across a restart of the
 * server's container, and ended; `compose down --volumes` then leaves nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { LABEL } from '../../lab-server/labels.ts';
import { composeProject, type ComposeProject } from '../support/compose.ts';
import { freePort } from '../support/network.ts';
import { leftovers, newOwner, ROOT } from '../support/platform.ts';

const run = promisify(execFile);
const docker = new Docker();
/** A tag of the test's own, so that a run never replaces an operator's drydock/server:latest. */
const IMAGE = 'drydock/server:test';
const LAB = 'named-volume-masks-image';

interface SessionView {
  id: string;
  state: string;
  message: string;
  token?: string;
}

describe('the compose deployment', { timeout: 1_500_000 }, () => {
  const owner = newOwner();
  let project: ComposeProject;
  let url = '';
  let token = '';

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 600_000) => {
    const deadline = Date.now() + ms;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (error) {
        last = error;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const logs = await project.run(['logs', '--no-color', '--tail', '40']).catch(String);
    const why = last instanceof Error ? last.message : 'still waiting';
    throw new Error(`${what} did not happen (${why}); the server's log:\n${logs}`);
  };
  const labsReady = () =>
    waitFor('labs ready', async () => {
      const body = (await (await api('/api/status')).json()) as {
        labs: { state: string; reason?: string };
      };
      if (body.labs.state === 'unavailable') throw new Error(JSON.stringify(body.labs));
      return body.labs.state === 'ready' ? body.labs : undefined;
    });
  const sandboxes = async () =>
    (await docker.listContainers({ filters: { label: [`${LABEL.owner}=${owner}`] } })).map(
      (c) => c.Id,
    );

  before(async () => {
    // The same build an operator runs; on a warm engine every step comes from its cache.
    await run(process.execPath, ['deploy/build-image.ts', IMAGE], {
      cwd: ROOT,
      env: { ...process.env, DRYDOCK_OLD_IMAGES: 'keep' },
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    project = composeProject(`drydock-${owner}`, {
      DRYDOCK_IMAGE: IMAGE,
      DRYDOCK_OWNER: owner,
      DRYDOCK_PUBLISH: `127.0.0.1:${port}`,
      DOCKER_GID: String(statSync('/var/run/docker.sock').gid),
      // A shared engine: this server must not remove images another checkout uses.
      DRYDOCK_OLD_IMAGES: 'keep',
      DRYDOCK_SHUTDOWN: 'keep',
    });
    await project.run(['up', '--detach'], 120_000);
  });

  after(async () => {
    await project?.run(['down', '--volumes', '--timeout', '40']).catch(() => undefined);
    // Sandboxes belong to the server, not to the compose project: whatever is left carries the owner.
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.owner}=${owner}`] },
    });
    for (const c of left)
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
  });

  it('serves the site, and labs become ready with the images the host built', async () => {
    await labsReady();
    const page = await api(`/labs/${LAB}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /A named volume hides files baked into the image/);
  });

  it('runs as an unprivileged user whose health check passes', async () => {
    const [id] = (
      await docker.listContainers({
        filters: { label: [`com.docker.compose.project=${project.name}`] },
      })
    ).map((c) => c.Id);
    assert.ok(id, 'the server container runs');
    const container = docker.getContainer(id);
    const info = await container.inspect();
    assert.equal(info.Config.User, '10001');
    // The image's own HEALTHCHECK command, run now rather than after its 30 s interval.
    const test = info.Config.Healthcheck?.Test ?? [];
    assert.equal(test[0], 'CMD-SHELL');
    const exec = await container.exec({ Cmd: ['/bin/sh', '-c', test[1]!] });
    const stream = await exec.start({});
    stream.resume();
    await new Promise((resolve) => stream.on('end', resolve));
    let result = await exec.inspect();
    while (result.Running) {
      await new Promise((r) => setTimeout(r, 100));
      result = await exec.inspect();
    }
    assert.equal(result.ExitCode, 0);
  });

  it('runs the server on jemalloc, which the image installs and preloads', async () => {
    const logs = await project.run(['logs', '--no-color']);
    assert.match(logs, /"msg":"memory allocator: jemalloc"/);
  });

  it('starts a learner’s sandbox through the API and runs its checks', async () => {
    const created = await api('/api/sessions', {
      method: 'POST',
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const session = (await created.json()) as SessionView & { token: string };
    token = session.token;
    const ready = await waitFor('the session ready', async () => {
      const view = (await (await api(`/api/sessions/${session.id}`)).json()) as SessionView;
      if (view.state === 'failed' || view.state === 'ended') throw new Error(view.message);
      return view.state === 'ready' ? view : undefined;
    });
    assert.equal(ready.id, session.id);
    const check = await api(`/api/sessions/${session.id}/check`, { method: 'POST' });
    assert.equal(check.status, 200);
    const { results } = (await check.json()) as { results: { passed: boolean }[] };
    assert.ok(results.length > 0);
    assert.ok(
      results.some((r) => !r.passed),
      'a freshly set-up lab is still broken',
    );
    sessionId = session.id;
  });

  let sessionId = '';
  it('keeps the learner’s sandbox running across a restart of the server’s container', async () => {
    assert.ok(sessionId, 'the previous test started a session');
    const before = await sandboxes();
    assert.equal(before.length, 1);
    await project.run(['restart', '--timeout', '40']);
    await labsReady();
    const view = (await (await api(`/api/sessions/${sessionId}`)).json()) as SessionView;
    assert.equal(view.state, 'ready', view.message);
    assert.deepEqual(await sandboxes(), before, 'the same sandbox container, adopted');
  });

  it('ends the session on request and leaves nothing behind after compose down', async () => {
    assert.ok(sessionId, 'a session was started');
    const ended = await api(`/api/sessions/${sessionId}`, { method: 'DELETE' });
    assert.equal(ended.status, 204);
    await waitFor('the sandbox gone', async () =>
      (await sandboxes()).length === 0 ? true : undefined,
    );
    await project.run(['down', '--volumes', '--timeout', '40']);
    const composeLabel = `com.docker.compose.project=${project.name}`;
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [composeLabel] },
    });
    const volumes = (await docker.listVolumes({ filters: { label: [composeLabel] } })).Volumes;
    const networks = await docker.listNetworks({ filters: { label: [composeLabel] } });
    assert.deepEqual(
      [...containers.map((c) => c.Id), ...(volumes ?? []).map((v) => v.Name), ...networks],
      [],
    );
    assert.deepEqual(await leftovers(owner), []);
  });
});
