/** The authors' figures (docs/api.md, "A lab's figures"), parsed with the protocol's schemas. */
import {
  LabStatsIndexSchema,
  LabStatsSchema,
  type LabStats,
  type LabStatsIndex,
} from '../../protocol/lab-stats.ts';
import { call } from './class-api.ts';

export const labStatsIndex = (days: number): Promise<LabStatsIndex> =>
  call(`/api/labs/stats?days=${days}`, LabStatsIndexSchema);

export const labStats = (slug: string, days: number): Promise<LabStats> =>
  call(`/api/labs/${encodeURIComponent(slug)}/stats?days=${days}`, LabStatsSchema);
