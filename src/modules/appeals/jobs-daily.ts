import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';

export const appealsDailyJobs = (_d: ModuleDeps): JobDef[] => [];
