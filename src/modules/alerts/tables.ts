// Kysely types of the alerts' tables (migrations/012_alerts.sql is the truth).
import type { ColumnType, Generated } from 'kysely';
import type { Created, NullableStamp, Stamp, Texts } from '../../db/types.ts';

export type AlertTexts = Partial<Record<'uk' | 'en' | 'fa', { headline: string; description: string; instruction: string }>>;
type JsonOf<T> = ColumnType<T, string, string>;

export interface AlertsTable {
  id: Generated<string>;
  community_id: string;
  status: Generated<'draft' | 'pending_approval' | 'active' | 'cancelled' | 'expired'>;
  event: string;
  cap_category: string;
  severity: string;
  urgency: string;
  certainty: string;
  texts: JsonOf<AlertTexts>;
  area_desc: JsonOf<Texts>;
  polygons: ColumnType<[number, number][][], string | undefined, string>;
  district_codes: ColumnType<string[], string[] | undefined, string[]>;
  expires_at: Stamp;
  created_by: string | null;
  requested_by: string | null;
  approved_by: string | null;
  issued_at: NullableStamp;
  cancelled_at: NullableStamp;
  version: Generated<number>;
  created_at: Created;
  updated_at: Stamp;
}

export interface AlertMessagesTable {
  id: Generated<string>;
  community_id: string;
  alert_id: string;
  msg_type: 'Alert' | 'Update' | 'Cancel';
  identifier: string;
  sent_at: Date | string;
  xml: string;
}

export interface AlertFanoutsTable {
  id: Generated<string>;
  community_id: string;
  alert_id: string;
  version: number;
  requested_at: Date;
  queued_at: Created;
  messages: number;
  /** This row's share of the subscribers (by a hash of channel and recipient), of `parts`. */
  part: Generated<number>;
  parts: Generated<number>;
}

export interface AlertTables {
  alerts: AlertsTable;
  alert_messages: AlertMessagesTable;
  alert_fanouts: AlertFanoutsTable;
}
