// Kysely types of the import tables (migrations/009_appeals_import.sql is the truth).
import type { ColumnType, Generated } from 'kysely';
import type { Created, NullableStamp } from '../../db/types.ts';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';
/** A rejected CSV row: its line in the file, its number if any, the field and a reason code
 * (shown through the catalog key `appeals.import.reason.<reason>` in the reader's language). */
export type RejectedRow = { line: number; number: string | null; field: string | null; reason: string };

export interface AppealImportRunsTable {
  id: Generated<string>;
  community_id: string;
  status: Generated<ImportStatus>;
  file_name: Generated<string>;
  source: string;
  total: number;
  done: Generated<number>;
  created: Generated<number>;
  skipped: Generated<number>;
  rejected: Generated<number>;
  rejected_rows: ColumnType<RejectedRow[], string | undefined, string>;
  created_by: string | null;
  created_by_label: string | null;
  created_at: Created;
  finished_at: NullableStamp;
}

export interface AppealImportedTable {
  community_id: string;
  appeal_id: string;
  run_id: string;
  line: number;
}

export interface AppealsImportTables {
  appeal_import_runs: AppealImportRunsTable;
  appeal_imported: AppealImportedTable;
}
