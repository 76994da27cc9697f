/**
 * A record of what a test changed on the host itself (a device node's mode, a bind
 * mount over it), written before the change. The test undoes it in its own hooks;
 * if the run is killed first, `npm test`'s sweep of a dead run's leftovers
 * (scripts/remove-test-leftovers.ts) finds the record and undoes it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { processAlive } from './processes.ts';

export interface HostChange {
  /** The test run's process: while it lives, the change is its to undo. */
  pid: number;
  device: string;
  /** The device node's mode before the test touched it. */
  mode: number;
  /** Whether something may be bind-mounted over the device. */
  bindMounted: boolean;
}

/**
 * Kept with the host, not with a checkout: the next `npm test` on this machine
 * undoes a killed run's change whichever checkout it runs from (a run killed in
 * one clone once left /dev/null mounted over /dev/net/tun for the next clone's
 * run). /run is emptied at boot, when the bind mount is gone too.
 */
export const HOST_CHANGE = '/run/drydock-tests/host-change.json';

export function recordHostChange(change: HostChange): void {
  mkdirSync(dirname(HOST_CHANGE), { recursive: true });
  writeFileSync(HOST_CHANGE, JSON.stringify(change));
}

function mountedOver(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === path);
}

/** Undoes a dead run's change to the host; returns what it did, or undefined. */
export function undoHostChangeOfDeadRun(): string | undefined {
  if (!existsSync(HOST_CHANGE)) return undefined;
  const change = JSON.parse(readFileSync(HOST_CHANGE, 'utf8')) as HostChange;
  if (processAlive(change.pid)) return undefined;
  if (change.bindMounted && mountedOver(change.device)) execFileSync('umount', [change.device]);
  chmodSync(change.device, change.mode);
  rmSync(HOST_CHANGE);
  return `restored ${change.device} (mode 0${change.mode.toString(8)}${change.bindMounted ? ', bind mount removed' : ''}) after an interrupted test run`;
}
