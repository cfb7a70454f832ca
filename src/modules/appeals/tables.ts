// Kysely types of this module's tables (its migrations are the truth); merged into Database.
import type { AppealsImportTables } from './import-tables.ts';
import type { AppealsIncidentTables } from './incident-tables.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppealsExtraTables extends AppealsImportTables, AppealsIncidentTables {}
