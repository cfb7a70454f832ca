-- One text shared by many messages. An alert's words (per language and kind of channel) are
-- written once per fan-out, and each of its up to 100,000 messages keeps only what is its
-- own: `fill`, put where the text says {fill} (the subscriber's unsubscribe token). The rows
-- shrink from ~600 to ~150 bytes, and so does the fan-out's WAL. The lanes put a message
-- together when they take it. A message has either its own body or a text, never both.
-- `text_id` has no foreign key, like `fanout_id`: both are written in the same transaction as
-- what they point to, nothing deletes texts, and a per-row key check would cost the fan-out
-- about a tenth of its time.
CREATE TABLE outbox_texts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  subject text,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
SELECT citydesk_tenant_table('outbox_texts');

ALTER TABLE outbox_messages ALTER COLUMN body DROP NOT NULL;
ALTER TABLE outbox_messages ADD COLUMN text_id uuid;
ALTER TABLE outbox_messages ADD COLUMN fill text;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_text_check CHECK ((body IS NULL) = (text_id IS NOT NULL));
