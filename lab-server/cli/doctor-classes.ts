/**
 * `drydock doctor`'s item per class not over yet: whether this machine can hold
 * it (classes/class-capacity.ts), with the limit that decides and, when it does
 * not fit, the fix. Read from the server's database directly, so that it works
 * before the class whether or not the server runs; planned with the host's
 * memory as the engine reports it, and each sandbox at the share admission
 * counts it as at least (what running sandboxes use is the server's to measure).
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { isLocalEngine } from '../admission/host-probe.ts';
import { classCapacity, machineFacts } from '../classes/class-capacity.ts';
import type { Config } from '../config.ts';
import { describeTarget } from '../store/dialect.ts';
import { SessionStore } from '../store/session-store.ts';
import type { EngineInfo, Finding } from './doctor-checks.ts';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export async function checkClasses(
  config: Config,
  info: EngineInfo | undefined,
  now = Date.now(),
): Promise<Finding[]> {
  const target = config.database;
  if (target.dialect === 'sqlite' && target.path !== ':memory:' && !existsSync(target.path))
    return [
      { id: 'classes', status: 'ok', detail: 'no classes yet (the server has not run here)' },
    ];
  let store: SessionStore;
  try {
    store = await SessionStore.open(target);
  } catch (error) {
    return [
      {
        id: 'classes',
        status: 'warn',
        detail: `cannot read the classes from ${describeTarget(target)}: ${(error as Error).message}`,
        fix: 'check DRYDOCK_DATABASE_URL and that the database answers, then run doctor again',
      },
    ];
  }
  try {
    const current = await store.classes.currentClasses(now);
    if (current.length === 0)
      return [{ id: 'classes', status: 'ok', detail: 'no upcoming or open classes' }];
    const memTotalBytes =
      info?.MemTotal ?? (isLocalEngine(config.dockerHost) ? totalmem() : undefined);
    const machine = machineFacts(config, memTotalBytes === undefined ? {} : { memTotalBytes });
    return current.map((record) => {
      const capacity = classCapacity(record, current, machine);
      const finding: Finding = {
        id: `class:${record.id}`,
        status: capacity.fits ? 'ok' : 'warn',
        detail: `“${record.name}”, ${now < record.opensAt ? `opens ${when(record.opensAt)}` : 'open now'}: ${capacity.summary}`,
      };
      if (capacity.fix) finding.fix = capacity.fix;
      return finding;
    });
  } finally {
    await store.close();
  }
}
