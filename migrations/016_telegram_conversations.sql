-- The city's Telegram bot holds short conversations ("which address?" → "is it this one?"):
-- one row per chat and community with the step it waits for and the addresses it offered.
-- A row is good for 30 minutes; an expired one is ignored and cleared on the chat's next message.
CREATE TABLE telegram_conversations (
  community_id uuid NOT NULL REFERENCES communities(id),
  chat_id text NOT NULL,
  step text NOT NULL CHECK (step IN ('address', 'confirm', 'choose', 'unsubscribe')),
  options jsonb NOT NULL DEFAULT '[]',
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, chat_id)
);
CREATE INDEX telegram_conversations_expiry ON telegram_conversations (expires_at);
SELECT citydesk_tenant_table('telegram_conversations');
GRANT DELETE ON telegram_conversations TO citydesk_app;
