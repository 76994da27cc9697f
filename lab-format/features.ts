/**
 * What a lab may require of the sandbox's inner engine beyond plain Docker. The
 * lab server measures which of these its isolation profile provides on its host
 * (lab-server/sandbox/features.ts); a lab whose requirement is missing is shown
 * as unavailable, with this text as the reason, rather than teaching the wrong thing.
 */
export const FEATURES = {
  'memory-limits':
    'memory limits on containers that the kernel enforces (docker run --memory, Compose memory limits)',
} as const;

export type Feature = keyof typeof FEATURES;
export const FEATURE_NAMES = Object.keys(FEATURES) as [Feature, ...Feature[]];
