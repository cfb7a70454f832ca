-- Emergency alerts (CAP 1.2). An alert is the situation; each of its CAP messages (Alert,
-- then Updates, then a Cancel) is kept as issued, with the XML's facts, append-only.
ALTER TABLE communities ADD COLUMN alerts_need_approval boolean NOT NULL DEFAULT false;

CREATE TABLE alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending_approval', 'active', 'cancelled', 'expired')),
  event text NOT NULL,
  cap_category text NOT NULL CHECK (cap_category IN ('Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other')),
  severity text NOT NULL CHECK (severity IN ('Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown')),
  urgency text NOT NULL CHECK (urgency IN ('Immediate', 'Expected', 'Future', 'Past', 'Unknown')),
  certainty text NOT NULL CHECK (certainty IN ('Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown')),
  -- {uk: {headline, description, instruction}, en?: {...}, fa?: {...}}
  texts jsonb NOT NULL,
  area_desc jsonb NOT NULL,
  -- [[[lat, lon], ...], ...]: closed rings, checked by the application
  polygons jsonb NOT NULL DEFAULT '[]',
  district_codes text[] NOT NULL DEFAULT '{}',
  expires_at timestamptz NOT NULL,
  created_by uuid,
  requested_by uuid,
  approved_by uuid,
  issued_at timestamptz,
  cancelled_at timestamptz,
  version int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, id)
);
CREATE INDEX alerts_active ON alerts (community_id, expires_at) WHERE status = 'active';

CREATE TABLE alert_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  alert_id uuid NOT NULL,
  msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
  identifier text NOT NULL UNIQUE,
  sent_at timestamptz NOT NULL,
  xml text NOT NULL,
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, alert_id) REFERENCES alerts (community_id, id)
);
CREATE INDEX alert_messages_by_time ON alert_messages (community_id, sent_at DESC);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['alerts', 'alert_messages']::regclass[]) AS t;
REVOKE UPDATE ON alert_messages FROM citydesk_app;
