-- Incidents (A9): many appeals about one thing (a burst pipe, a power cut) grouped so that
-- they are handled and closed together; and the once-only log of the daily digest for
-- leadership and the daily overdue lists (A4, A7). Rules in src/modules/appeals/README.md.

CREATE TABLE appeal_incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  category_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
  description text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  location text,
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  lon double precision CHECK (lon BETWEEN -180 AND 180),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  closed_by uuid,
  closing_message text,
  UNIQUE (community_id, id),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  FOREIGN KEY (community_id, category_id) REFERENCES appeal_categories (community_id, id)
);
CREATE INDEX appeal_incidents_open ON appeal_incidents (community_id, category_id) WHERE status = 'open';
CREATE INDEX appeal_incidents_by_time ON appeal_incidents (community_id, created_at DESC);

-- An appeal belongs to at most one incident; splitting it out sets this back to null.
ALTER TABLE appeals ADD COLUMN incident_id uuid;
ALTER TABLE appeals ADD CONSTRAINT appeals_incident_fk
  FOREIGN KEY (community_id, incident_id) REFERENCES appeal_incidents (community_id, id);
CREATE INDEX appeals_by_incident ON appeals (community_id, incident_id) WHERE incident_id IS NOT NULL;

-- One row per community, local date and kind of daily mailing, inserted in the same
-- transaction as its outbox messages: a second process or a restart finds the row (or
-- waits on its uncommitted insert) and sends nothing.
CREATE TABLE appeal_daily_sends (
  community_id uuid NOT NULL REFERENCES communities(id),
  day date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('digest', 'overdue')),
  messages int NOT NULL DEFAULT 0,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, day, kind)
);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['appeal_incidents', 'appeal_daily_sends']::regclass[]) AS t;
