import { z } from 'zod';
import type { JobDef } from '../../jobs/queue.ts';
import type { ModuleDeps } from '../../jobs/modules.ts';
import { loadCommunities } from '../communities/service.ts';
import { IMPORT_JOB, runImport } from './import-runs.ts';

const ImportJob = z.object({ communityId: z.string().uuid(), runId: z.string().uuid() });

/** Applies an uploaded CSV of historical appeals batch by batch (import-runs.ts). Idempotent:
 * a retry after a crash resumes at the run's committed progress. */
function importJob(d: ModuleDeps): JobDef<typeof ImportJob> {
  return {
    name: IMPORT_JOB,
    schema: ImportJob,
    retryLimit: 3,
    run: async ({ communityId, runId }) => {
      const community = (await loadCommunities(d.db)).find((c) => c.id === communityId);
      if (community) await runImport(d.db, community, runId);
    },
  };
}

export const appealsImportJobs = (d: ModuleDeps): JobDef[] => [importJob(d) as unknown as JobDef];
