-- Outage notices and emergency alerts by web push: a browser that subscribed on the portal
-- (push_subscriptions) can follow an address. The outbox gets a 'webpush' lane whose recipient
-- is the push subscription's id; the lane signs with the community's VAPID keys.
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_channel_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_channel_check CHECK (channel IN ('email', 'sms', 'telegram', 'webpush'));
ALTER TABLE outage_subscriptions DROP CONSTRAINT outage_subscriptions_channel_check;
ALTER TABLE outage_subscriptions ADD CONSTRAINT outage_subscriptions_channel_check CHECK (channel IN ('email', 'sms', 'telegram', 'webpush'));
