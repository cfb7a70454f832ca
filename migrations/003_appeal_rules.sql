-- Which law's rules an appeal follows: 'ua' is the Law of Ukraine "On citizens' appeals"
-- (legal terms of 15/30 days, extension to 45, Art. 10 confidentiality); 'none' has only the
-- service's own targets. Days without a rating after which a reported appeal is resolved.
ALTER TABLE communities
  ADD COLUMN appeals_law text NOT NULL DEFAULT 'ua' CHECK (appeals_law IN ('ua', 'none')),
  ADD COLUMN rating_wait_days smallint NOT NULL DEFAULT 7 CHECK (rating_wait_days BETWEEN 1 AND 60);

-- Reminders and escalations sent, so that none is sent twice, whatever restarts.
CREATE TABLE appeal_alerts (
  community_id uuid NOT NULL REFERENCES communities(id),
  appeal_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reminder', 'escalation')),
  due_at timestamptz NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, appeal_id, kind, due_at),
  FOREIGN KEY (community_id, appeal_id) REFERENCES appeals (community_id, id)
);
ALTER TABLE appeal_alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON appeal_alerts TO citydesk_app
  USING (community_id = nullif(current_setting('app.community_id', true), '')::uuid)
  WITH CHECK (community_id = nullif(current_setting('app.community_id', true), '')::uuid);
GRANT SELECT, INSERT ON appeal_alerts TO citydesk_app;
