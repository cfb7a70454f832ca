import type { ColumnType, Generated } from 'kysely';
import type { AppealsExtraTables } from '../modules/appeals/tables.ts';
import type { MediaTables } from '../modules/media/tables.ts';
import type { AddressTables } from '../modules/addresses/tables.ts';
import type { ChannelTables } from '../modules/channels/tables.ts';
import type { NewsroomTables } from '../modules/newsroom/tables.ts';
import type { AlertTables } from '../modules/alerts/tables.ts';
import type { OutageKind, OutageTables } from '../modules/outages/tables.ts';

export type Lang = 'uk' | 'en' | 'fa';
export type Texts = Partial<Record<Lang, string>>;
export type Created = ColumnType<Date, Date | string | undefined, never>;
export type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableStamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Json<T> = ColumnType<T, string, string>;

export interface CommunitiesTable {
  id: Generated<string>;
  slug: string;
  names: Json<Texts>;
  default_lang: Lang;
  time_zone: string;
  calendar: 'gregorian' | 'persian';
  weekend_days: number[];
  holidays: ColumnType<Date[], string[] | undefined, string[]>;
  hosts: string[];
  contacts: Json<Record<string, string>>;
  is_default: Generated<boolean>;
  appeals_law: Generated<'ua' | 'none'>;
  rating_wait_days: Generated<number>;
  alerts_need_approval: Generated<boolean>;
  created_at: Created;
  updated_at: Stamp;
}

export interface OrganisationsTable {
  id: Generated<string>;
  community_id: string;
  kind: string;
  names: Json<Texts>;
  phone: string | null;
  email: string | null;
  archived_at: NullableStamp;
  created_at: Created;
}

export interface UsersTable {
  id: Generated<string>;
  community_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  organisation_id: string | null;
  totp_secret: string | null;
  totp_enabled_at: NullableStamp;
  is_super_admin: Generated<boolean>;
  lang: Generated<Lang>;
  disabled_at: NullableStamp;
  created_at: Created;
  updated_at: Stamp;
}

export interface UserRolesTable {
  community_id: string;
  user_id: string;
  role: string;
}

export interface RecoveryCodesTable {
  id: Generated<string>;
  community_id: string;
  user_id: string;
  code_hash: string;
  used_at: NullableStamp;
}

export interface ResidentsTable {
  id: Generated<string>;
  community_id: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  lang: Generated<Lang>;
  telegram_chat_id: ColumnType<string | null, string | null | undefined, string | null>;
  telegram_linked_at: NullableStamp;
  created_at: Created;
}

export interface TelegramLinksTable {
  token_hash: string;
  community_id: string;
  resident_id: string;
  expires_at: Date | string;
  used_at: NullableStamp;
  created_at: Created;
}

export interface ResidentCodesTable {
  id: Generated<string>;
  community_id: string;
  resident_id: string;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Stamp;
  used_at: NullableStamp;
  created_at: Created;
}

export interface SessionsTable {
  id: string;
  community_id: string;
  user_id: string | null;
  resident_id: string | null;
  csrf_token: string;
  second_factor_at: NullableStamp;
  ip: string | null;
  user_agent: string | null;
  created_at: Created;
  last_seen_at: Stamp;
  expires_at: Stamp;
  ended_at: NullableStamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  community_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  created_at: Created;
  last_used_at: NullableStamp;
  expires_at: NullableStamp;
  revoked_at: NullableStamp;
}

export interface OutboxMessagesTable {
  id: Generated<string>;
  community_id: string;
  channel: 'email' | 'sms' | 'telegram' | 'webpush';
  recipient: string;
  subject: string | null;
  /** The message's own text; null when it shares an outbox_texts row (text_id) with others. */
  body: string | null;
  purpose: string;
  status: Generated<'pending' | 'sending' | 'sent' | 'held' | 'failed' | 'unknown'>;
  attempts: Generated<number>;
  last_error: string | null;
  provider_id: string | null;
  created_at: Created;
  sent_at: NullableStamp;
  /** Higher goes first in its lane (emergency alerts). */
  priority: Generated<number>;
  next_attempt_at: Generated<Date>;
  claimed_until: Date | null;
  fanout_id: string | null;
  /** A shared text (outbox_texts) and what goes where it says {fill}; see messageText. */
  text_id: string | null;
  fill: string | null;
}

export interface OutboxTextsTable {
  id: Generated<string>;
  community_id: string;
  subject: string | null;
  body: string;
  created_at: Created;
}

export interface AuditLogTable {
  id: Generated<string>;
  community_id: string | null;
  actor_type: 'user' | 'resident' | 'token' | 'system' | 'anonymous';
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  changes: Json<Record<string, unknown>> | null;
  request_id: string | null;
  ip: string | null;
  at: Created;
}

export interface RateLimitsTable {
  key: string;
  window_start: Date | string;
  hits: number;
}

export interface AppSettingsTable {
  key: string;
  value: string;
}

export interface AppealCategoriesTable {
  id: Generated<string>;
  community_id: string;
  code: string;
  names: Json<Texts>;
  keywords: ColumnType<Texts, string | undefined, string>;
  icon: Generated<string>;
  executor_org_id: string;
  service_hours: number;
  service_mode: Generated<'working' | 'calendar'>;
  legal_days: Generated<15 | 30>;
  is_public: Generated<boolean>;
  archived_at: NullableStamp;
  created_at: Created;
  /** Migration 015: the kind of outage the category's problems come from (appeals linked to a known outage). */
  outage_kind: ColumnType<OutageKind | null, OutageKind | null | undefined, OutageKind | null>;
}

export interface AppealCountersTable {
  community_id: string;
  year: number;
  last: number;
}

export type AppealStatus = 'registered' | 'in_progress' | 'reported' | 'reopened' | 'resolved' | 'closed';
export type AppealType = 'proposal' | 'statement' | 'complaint' | 'consultation' | 'thanks';
export type AppealChannel = 'phone' | 'web' | 'email' | 'messenger' | 'facebook' | 'walk_in' | 'open311';

export interface AppealsTable {
  id: Generated<string>;
  community_id: string;
  number: string;
  type: AppealType;
  channel: AppealChannel;
  status: AppealStatus;
  category_id: string;
  description: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  /** Set when the address was found in the register (migration 005). */
  street_id: ColumnType<string | null, string | null | undefined, string | null>;
  building_id: ColumnType<string | null, string | null | undefined, string | null>;
  applicant_name: string | null;
  applicant_phone: string | null;
  applicant_email: string | null;
  applicant_address: string | null;
  notify_via: Generated<'email' | 'sms' | 'telegram' | 'none'>;
  lang: Generated<Lang>;
  anonymous: boolean;
  confidential: Generated<boolean>;
  resident_id: string | null;
  executor_org_id: string;
  legal_days: 15 | 30 | null;
  legal_extension_days: Generated<number>;
  legal_due_at: NullableStamp;
  service_due_at: Stamp;
  on_control: Generated<boolean>;
  reassign_requested: Generated<boolean>;
  reopen_count: Generated<number>;
  rating: number | null;
  created_by: string | null;
  accepted_at: NullableStamp;
  reported_at: NullableStamp;
  resolved_at: NullableStamp;
  closed_at: NullableStamp;
  created_at: Created;
  updated_at: Stamp;
  /** 006: the incident this appeal is grouped into, if any. */
  incident_id: string | null;
}

export interface AppealEventsTable {
  id: Generated<string>;
  community_id: string;
  appeal_id: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  is_public: Generated<boolean>;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  at: Created;
}

export interface AppealRatingRequestsTable {
  id: Generated<string>;
  community_id: string;
  appeal_id: string;
  token_hash: string;
  created_at: Created;
  used_at: NullableStamp;
}

export interface IdempotencyKeysTable {
  community_id: string;
  scope: string;
  key: string;
  result_id: string;
  created_at: Created;
}

export interface AppealAlertsTable {
  community_id: string;
  appeal_id: string;
  kind: 'reminder' | 'escalation';
  due_at: Date | string;
  sent_at: Created;
}

/** Core tables here; each module's own tables in modules/<m>/tables.ts. */
export interface Database extends AppealsExtraTables, MediaTables, AddressTables, ChannelTables, NewsroomTables, AlertTables, OutageTables {
  appeal_alerts: AppealAlertsTable;
  appeal_categories: AppealCategoriesTable;
  appeal_counters: AppealCountersTable;
  appeals: AppealsTable;
  appeal_events: AppealEventsTable;
  appeal_rating_requests: AppealRatingRequestsTable;
  idempotency_keys: IdempotencyKeysTable;
  communities: CommunitiesTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  recovery_codes: RecoveryCodesTable;
  residents: ResidentsTable;
  telegram_links: TelegramLinksTable;
  resident_codes: ResidentCodesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  outbox_messages: OutboxMessagesTable;
  outbox_texts: OutboxTextsTable;
  audit_log: AuditLogTable;
  rate_limits: RateLimitsTable;
  app_settings: AppSettingsTable;
}
