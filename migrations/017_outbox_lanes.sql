-- The outbox becomes its own queue: a worker drains due rows per channel ("lane") at the
-- channel's configured rate, most urgent first, instead of one job per message. An alert's
-- fan-out to its subscribers is then one INSERT ... SELECT, however many there are.
ALTER TABLE outbox_messages
  ADD COLUMN priority smallint NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- while 'sending': until when its worker means to be done (shown in the console)
  ADD COLUMN claimed_until timestamptz,
  ADD COLUMN fanout_id uuid;
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_status_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_status_check CHECK (status IN ('pending', 'sending', 'sent', 'held', 'failed', 'unknown'));
-- The lanes' work list: small, because sent rows leave it.
CREATE INDEX outbox_due ON outbox_messages (channel, priority DESC, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_in_flight ON outbox_messages (channel, claimed_until) WHERE status = 'sending';
CREATE INDEX outbox_by_fanout ON outbox_messages (fanout_id) WHERE fanout_id IS NOT NULL;

-- Messages already waiting for their old per-message job are simply due now.
UPDATE outbox_messages SET next_attempt_at = now() WHERE status = 'pending';

-- One row per alert message (Alert, Update, Cancel) fanned out to subscribers: written once,
-- in the same transaction as the outbox rows it made, so a fan-out happens exactly once.
CREATE TABLE alert_fanouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  alert_id uuid NOT NULL,
  version int NOT NULL,
  requested_at timestamptz NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now(),
  messages int NOT NULL,
  UNIQUE (community_id, alert_id, version),
  FOREIGN KEY (community_id, alert_id) REFERENCES alerts (community_id, id)
);
SELECT citydesk_tenant_table('alert_fanouts');
