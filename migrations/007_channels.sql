-- Channels: per-community settings of each outgoing channel, the delivery outbox (one row
-- per publication x channel x action x version), the press list and web-push subscribers.
-- Rules in src/modules/channels/README.md.

CREATE TABLE channel_settings (
  community_id uuid NOT NULL REFERENCES communities(id),
  kind text NOT NULL CHECK (kind IN ('telegram', 'facebook', 'instagram', 'eitaa', 'email_press', 'webpush', 'led', 'print')),
  config jsonb NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT false,
  connected_at timestamptz,
  -- The channel's own rate gate: no send starts before this moment (rate limit, retry_after).
  next_slot_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, kind)
);

CREATE TABLE channel_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  source_type text NOT NULL CHECK (source_type IN ('material', 'alert')),
  source_id text NOT NULL,
  lang text NOT NULL CHECK (lang IN ('uk', 'en', 'fa')),
  channel text NOT NULL,
  action text NOT NULL CHECK (action IN ('publish', 'update', 'delete')),
  version int NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  sending_since timestamptz,
  external_id text,
  external_url text,
  -- Everything the channel answered that edit/delete needs later (all message ids, say).
  result jsonb,
  error text,
  priority boolean NOT NULL DEFAULT false,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (community_id, source_type, source_id, lang, channel, action, version)
);
CREATE INDEX channel_deliveries_by_source ON channel_deliveries (community_id, source_type, source_id, created_at DESC);
CREATE INDEX channel_deliveries_by_time ON channel_deliveries (community_id, created_at DESC);
CREATE INDEX channel_deliveries_open ON channel_deliveries (status, next_attempt_at) WHERE status IN ('queued', 'sending');

-- One row per recipient of a multi-recipient channel (press e-mail, web push), so a crash
-- in the middle of a list neither skips nor repeats anyone.
CREATE TABLE channel_recipient_sends (
  community_id uuid NOT NULL REFERENCES communities(id),
  delivery_id uuid NOT NULL REFERENCES channel_deliveries(id),
  recipient_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'unknown')),
  error text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (delivery_id, recipient_id)
);

CREATE TABLE press_contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  outlet text,
  lang text NOT NULL DEFAULT 'uk' CHECK (lang IN ('uk', 'en', 'fa')),
  unsubscribe_token text NOT NULL UNIQUE,
  unsubscribed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, email)
);

CREATE TABLE push_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  endpoint text NOT NULL CHECK (endpoint ~ '^https?://'),
  p256dh text NOT NULL,
  auth text NOT NULL,
  lang text NOT NULL DEFAULT 'uk' CHECK (lang IN ('uk', 'en', 'fa')),
  topics text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, endpoint)
);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['channel_settings', 'channel_deliveries', 'channel_recipient_sends', 'press_contacts', 'push_subscriptions']::regclass[]) AS t;
-- Residents may withdraw a push subscription; the press list keeps unsubscribed rows (proof).
GRANT DELETE ON push_subscriptions, channel_recipient_sends TO citydesk_app;
