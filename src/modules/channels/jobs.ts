import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';

export const channelJobs = (_d: ModuleDeps): JobDef[] => [];
