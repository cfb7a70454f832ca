// Kysely types of migration 006 (incidents and the daily mailings log); merged into Database
// through tables.ts. The migration is the truth.
import type { ColumnType } from 'kysely';
import type { Created, NullableStamp } from '../../db/types.ts';

/** Appeals about one thing grouped together (A9). */
export interface AppealIncidentsTable {
  id: ColumnType<string, string | undefined, never>;
  community_id: string;
  category_id: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  location: string | null;
  lat: number | null;
  lon: number | null;
  created_by: string | null;
  created_at: Created;
  closed_at: NullableStamp;
  closed_by: string | null;
  closing_message: string | null;
}

/** One row per community, local day and kind of daily mailing: it is sent once. */
export interface AppealDailySendsTable {
  community_id: string;
  day: ColumnType<Date | string, string, string>; // a date column: pg reads it back as a Date
  kind: 'digest' | 'overdue';
  messages: ColumnType<number, number | undefined, number>;
  sent_at: Created;
}

export interface AppealsIncidentTables {
  appeal_incidents: AppealIncidentsTable;
  appeal_daily_sends: AppealDailySendsTable;
}
