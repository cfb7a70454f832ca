// Kysely types of the outages' tables (migrations/013_outages.sql is the truth).
import type { ColumnType, Generated } from 'kysely';
import type { Created, NullableStamp, Stamp, Texts } from '../../db/types.ts';

type JsonOf<T> = ColumnType<T, string | undefined, string>;
export const OUTAGE_KINDS = ['cold_water', 'hot_water', 'heating', 'electricity', 'gas', 'sewerage', 'roads', 'other'] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

export interface OutagesTable {
  id: Generated<string>;
  community_id: string;
  organisation_id: string;
  kind: OutageKind;
  emergency: boolean;
  reason: JsonOf<Texts>;
  area_summary: JsonOf<Texts>;
  contact: string | null;
  starts_at: Stamp;
  expected_end_at: Stamp;
  actual_end_at: NullableStamp;
  status: Generated<'open' | 'closed'>;
  alert_id: string | null;
  created_by: string | null;
  created_at: Created;
  last_update_at: Stamp;
  stale_reminded_at: NullableStamp;
}

export interface OutageAreasTable {
  id: Generated<string>;
  community_id: string;
  outage_id: string;
  kind: 'street' | 'range' | 'building' | 'district' | 'polygon';
  street_id: string | null;
  building_id: string | null;
  district_id: string | null;
  from_number: number | null;
  to_number: number | null;
  parity: Generated<'all' | 'odd' | 'even'>;
  polygon: ColumnType<[number, number][] | null, string | null | undefined, string | null>;
}

export interface OutageUpdatesTable {
  id: Generated<string>;
  community_id: string;
  outage_id: string;
  kind: 'posted' | 'expected_end' | 'area' | 'partial' | 'note' | 'closed';
  note: JsonOf<Texts>;
  expected_end_at: NullableStamp;
  actor_label: string | null;
  at: Created;
}

/** Where a subscriber is told: the recipient is an e-mail, a phone, a Telegram chat id, or a
 * portal push subscription's id. */
export type OutageSubChannel = 'email' | 'sms' | 'telegram' | 'webpush';

export interface OutageSubscriptionsTable {
  id: Generated<string>;
  community_id: string;
  resident_id: string | null;
  channel: OutageSubChannel;
  recipient: string;
  street_id: string;
  building_id: string | null;
  kinds: ColumnType<string[], string[] | undefined, string[]>;
  lang: 'uk' | 'en' | 'fa';
  unsubscribe_token: string;
  created_at: Created;
  ended_at: NullableStamp;
}

/** The Telegram bot's conversation with a chat (migrations/016_telegram_conversations.sql). */
export interface TelegramConversationsTable {
  community_id: string;
  chat_id: string;
  step: 'address' | 'confirm' | 'choose' | 'unsubscribe';
  options: ColumnType<unknown[], string | undefined, string>;
  expires_at: Stamp;
  updated_at: Generated<Date>;
}

export interface OutageTables {
  outages: OutagesTable;
  outage_areas: OutageAreasTable;
  outage_updates: OutageUpdatesTable;
  outage_subscriptions: OutageSubscriptionsTable;
  telegram_conversations: TelegramConversationsTable;
}
