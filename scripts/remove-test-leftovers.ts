/**
 * Removes what an interrupted test run left in the engine. Test runs and
 * benchmarks use owners named test-<pid>-<random>, crash-…, faults-… or bench-<pid>
 * (see test/support/platform.ts): a killed run cannot clean up after itself and
 * no server will start under its owner again, so `npm test` sweeps the
 * resources of owners whose process is gone, and leaves a live run's alone.
 */
import Docker from 'dockerode';
import { loadConfig } from '../lab-server/config.ts';
// A 409 (in use) means some test run is still going: its leftovers are its own to remove.
import { connect, ignoreGone as remove } from '../lab-server/docker/engine.ts';
import { LABEL, PLATFORM } from '../lab-server/labels.ts';
import { undoHostChangeOfDeadRun } from '../test/support/host-change.ts';
import { processAlive } from '../test/support/processes.ts';

const TEST_OWNER = /^(?:test|crash|faults|bench)-(\d+)(?:-[0-9a-f]+)?$/;
const docker: Docker = connect(loadConfig().engine);
const filters = { label: [`${LABEL.platform}=${PLATFORM}`] };

/** Resources of a test or benchmark run whose process has ended. */
const isLeftover = (labels: Record<string, string> | undefined) => {
  const pid = TEST_OWNER.exec(labels?.[LABEL.owner] ?? '')?.[1];
  return pid !== undefined && !processAlive(Number(pid));
};

const containers = (await docker.listContainers({ all: true, filters })).filter((c) =>
  isLeftover(c.Labels),
);
for (const c of containers)
  await remove(docker.getContainer(c.Id).remove({ force: true, v: true }));
const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).filter((v) =>
  isLeftover(v.Labels ?? undefined),
);
for (const v of volumes) await remove(docker.getVolume(v.Name).remove());
if (containers.length + volumes.length > 0) {
  console.log(
    `removed ${containers.length} container(s) and ${volumes.length} volume(s) left by an interrupted test run`,
  );
}
// A test that changes the host itself (test/engine/host-devices.test.ts) records how to undo it.
const restored = undoHostChangeOfDeadRun();
if (restored) console.log(restored);
