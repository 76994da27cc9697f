/**
 * TEMPORARY: admission by measured memory and the capacity guard, wired into a
 * test platform by hand. app.ts and platform.ts are being rewritten elsewhere;
 * until they wire these parts themselves (the admission branch's report says
 * how), the engine test and `bench:density` wire them here, the same way: the
 * app's Admission is replaced by one that measures, and a guard ends the
 * session of a sandbox that grew past its share with reason `capacity`. Delete
 * this file once the app does it.
 */
import type { FastifyInstance } from 'fastify';
import { Admission } from '../../lab-server/admission/admission.ts';
import { CapacityGuard } from '../../lab-server/admission/capacity-guard.ts';
import { HostProbe, isLocalEngine } from '../../lab-server/admission/host-probe.ts';
import { MemoryMeter } from '../../lab-server/admission/memory-meter.ts';
import { connect } from '../../lab-server/docker/engine.ts';
import type { TestPlatform } from './platform.ts';

export interface MemoryAdmission {
  meter: MemoryMeter;
  guard: CapacityGuard;
  /** Stops the guard (before the platform closes). */
  stop(): Promise<void>;
}

export function wireMemoryAdmission(platform: TestPlatform): MemoryAdmission {
  const { app, sessions } = platform;
  const config = app.platform.config;
  const docker = connect(config.engine);
  const probe = new HostProbe(docker, config.dockerHost, app.log);
  const meter = new MemoryMeter(docker, {
    owner: config.owner,
    local: isLocalEngine(config.dockerHost),
    log: app.log,
  });
  // Routes read app.admission on each request, so the replacement takes effect at once.
  (app as FastifyInstance & { admission: Admission }).admission = new Admission({
    limits: config,
    live: () => sessions.liveCount,
    facts: () => probe.facts(),
    memory: meter,
    log: app.log,
    signals: app.signals,
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
  guard.start();
  return { meter, guard, stop: () => guard.stop() };
}
