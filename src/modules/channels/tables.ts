// Kysely types of this module's tables (its migrations are the truth); merged into Database.
import type { ColumnType, Generated } from 'kysely';
import type { Created, Json, Lang, NullableStamp, Stamp } from '../../db/types.ts';

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown' | 'skipped';

export interface ChannelSettingsTable {
  community_id: string;
  kind: string;
  config: Json<Record<string, unknown>>;
  enabled: Generated<boolean>;
  connected_at: NullableStamp;
  next_slot_at: NullableStamp;
  updated_at: Stamp;
}

export interface ChannelDeliveriesTable {
  id: Generated<string>;
  community_id: string;
  source_type: 'material' | 'alert';
  source_id: string;
  lang: Lang;
  channel: string;
  action: 'publish' | 'update' | 'delete';
  version: number;
  payload: Json<unknown>;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Stamp;
  sending_since: NullableStamp;
  external_id: string | null;
  external_url: string | null;
  result: Json<Record<string, unknown>> | null;
  error: string | null;
  priority: Generated<boolean>;
  created_by: string | null;
  created_at: Created;
  updated_at: Stamp;
  sent_at: NullableStamp;
}

export interface ChannelRecipientSendsTable {
  community_id: string;
  delivery_id: string;
  recipient_id: string;
  status: 'sending' | 'sent' | 'failed' | 'unknown';
  error: string | null;
  at: Stamp;
}

export interface PressContactsTable {
  id: Generated<string>;
  community_id: string;
  name: string;
  email: string;
  outlet: string | null;
  lang: Generated<Lang>;
  unsubscribe_token: string;
  unsubscribed_at: NullableStamp;
  created_at: Created;
}

export interface PushSubscriptionsTable {
  id: Generated<string>;
  community_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  lang: Generated<Lang>;
  topics: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Created;
}

export interface ChannelTables {
  channel_settings: ChannelSettingsTable;
  channel_deliveries: ChannelDeliveriesTable;
  channel_recipient_sends: ChannelRecipientSendsTable;
  press_contacts: PressContactsTable;
  push_subscriptions: PushSubscriptionsTable;
}
