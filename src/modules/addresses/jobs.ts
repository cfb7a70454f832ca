import { z } from 'zod';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { IMPORT_JOB, runImport } from './import.ts';

const ImportJob = z.object({ communityId: z.string().uuid(), importId: z.string().uuid() });

/** The register's import runs; a run that fails midway is retried and redoes its upserts. */
export const addressJobs = (d: ModuleDeps): JobDef[] => [
  { name: IMPORT_JOB, schema: ImportJob, retryLimit: 3, retryDelay: 10, run: (data: z.infer<typeof ImportJob>) => runImport(d.db, data.communityId, data.importId) } as JobDef,
];
