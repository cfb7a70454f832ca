-- Residents may follow their appeals (and later outages) in the city's Telegram bot: the
-- cabinet gives a one-time deep link (t.me/<bot>?start=<token>); the bot's /start binds the chat.
ALTER TABLE residents ADD COLUMN telegram_chat_id text, ADD COLUMN telegram_linked_at timestamptz;
CREATE UNIQUE INDEX residents_telegram ON residents (community_id, telegram_chat_id) WHERE telegram_chat_id IS NOT NULL;

CREATE TABLE telegram_links (
  token_hash text PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities(id),
  resident_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (community_id, resident_id) REFERENCES residents (community_id, id)
);
SELECT citydesk_tenant_table('telegram_links');

ALTER TABLE appeals DROP CONSTRAINT appeals_notify_via_check;
ALTER TABLE appeals ADD CONSTRAINT appeals_notify_via_check CHECK (notify_via IN ('email', 'sms', 'telegram', 'none'));
