// Kysely types of this module's tables (its migrations are the truth); merged into Database.
import type { AppealsDashboardTables } from './dashboard-tables.ts';
import type { AppealsImportTables } from './import-tables.ts';
import type { AppealsIncidentTables } from './incident-tables.ts';
import type { AppealsOutageTables } from './outage-link-tables.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppealsExtraTables extends AppealsDashboardTables, AppealsImportTables, AppealsIncidentTables, AppealsOutageTables {}
