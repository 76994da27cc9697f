/**
 * Removes what an interrupted test run left in the engine. Every test run uses
 * owners named test-*, crash-* or bench-* (see test/support/platform.ts); a
 * killed run cannot clean up after itself, and no server will ever start under
 * its random owner again, so `npm test` sweeps them before it starts.
 */
import Docker from 'dockerode';
import { loadConfig } from '../lab-server/config.ts';
// A 409 (in use) means some test run is still going: its leftovers are its own to remove.
import { connect, ignoreGone as remove } from '../lab-server/docker/engine.ts';
import { LABEL, PLATFORM } from '../lab-server/labels.ts';

const TEST_OWNER = /^(test|crash|bench)-[0-9a-f]+$|^bench-\d+$/;
const docker: Docker = connect(loadConfig().dockerHost);
const filters = { label: [`${LABEL.platform}=${PLATFORM}`] };
const isTest = (labels: Record<string, string> | undefined) => TEST_OWNER.test(labels?.[LABEL.owner] ?? '');

const containers = (await docker.listContainers({ all: true, filters })).filter((c) => isTest(c.Labels));
for (const c of containers) await remove(docker.getContainer(c.Id).remove({ force: true, v: true }));
const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).filter((v) => isTest(v.Labels ?? undefined));
for (const v of volumes) await remove(docker.getVolume(v.Name).remove());
if (containers.length + volumes.length > 0) {
  console.log(`removed ${containers.length} container(s) and ${volumes.length} volume(s) left by an interrupted test run`);
}
