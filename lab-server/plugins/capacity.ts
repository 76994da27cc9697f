/**
 * What the host really holds, as a Fastify part: the engine's host facts, the
 * memory sandboxes really use (admission reads both), and the guard that ends
 * the sandbox furthest past its share with reason `capacity` before the host's
 * OOM killer would pick a victim of its own. The guard stops before sessions close.
 */
import fp from 'fastify-plugin';
import { CapacityGuard } from '../admission/capacity-guard.ts';
import { HostProbe, isLocalEngine } from '../admission/host-probe.ts';
import { MemoryMeter } from '../admission/memory-meter.ts';
import { connect } from '../docker/engine.ts';

declare module 'fastify' {
  interface FastifyInstance {
    capacity: { probe: HostProbe; meter: MemoryMeter; guard: CapacityGuard };
  }
}

export const capacityPlugin = fp(
  async (app) => {
    const { config, sessions } = app;
    const docker = connect(config.engine);
    const probe = new HostProbe(docker, config.dockerHost, app.log);
    // One meter for admission and the guard: admission reuses a reading under 2 s old.
    const meter = new MemoryMeter(docker, {
      owner: config.owner,
      local: isLocalEngine(config.dockerHost),
      log: app.log,
    });
    const guard = new CapacityGuard({
      memory: meter,
      limits: config,
      facts: () => probe.facts(),
      live: () => sessions.liveCount,
      log: app.log,
      onOverShare: (containerId) => {
        const session = sessions.list().find((s) => s.live && s.sandbox?.id === containerId);
        if (session) void sessions.end(session, 'capacity');
      },
    });
    app.decorate('capacity', { probe, meter, guard });
    app.addHook('onReady', async () => guard.start());
    app.addHook('onClose', async () => guard.stop());
  },
  {
    name: 'drydock-capacity',
    dependencies: ['drydock-sessions'],
    decorators: { fastify: ['config'] },
  },
);
