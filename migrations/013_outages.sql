-- Utility outage notices (O1) and their control (O2). A notice names an organisation (the
-- utility), a kind, planned or emergency, an area built from address rules, and a timeline.
CREATE TABLE outages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  organisation_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cold_water', 'hot_water', 'heating', 'electricity', 'gas', 'sewerage', 'roads', 'other')),
  emergency boolean NOT NULL,
  reason jsonb NOT NULL,
  area_summary jsonb NOT NULL DEFAULT '{}',
  contact text,
  starts_at timestamptz NOT NULL,
  expected_end_at timestamptz NOT NULL CHECK (expected_end_at > starts_at),
  actual_end_at timestamptz,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  alert_id uuid,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The last thing the dispatcher said: a notice past its expected end with nothing newer is stale.
  last_update_at timestamptz NOT NULL DEFAULT now(),
  stale_reminded_at timestamptz,
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, organisation_id) REFERENCES organisations (community_id, id)
);
CREATE INDEX outages_open ON outages (community_id, status, starts_at);
CREATE INDEX outages_by_org ON outages (community_id, organisation_id, created_at);

-- Each rule adds to the area: a whole street, a range of house numbers on a street (all, odd
-- or even), one building, a district, or a polygon ([[lat, lon], ...], closed).
CREATE TABLE outage_areas (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities(id),
  outage_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('street', 'range', 'building', 'district', 'polygon')),
  street_id uuid,
  building_id uuid,
  district_id uuid,
  from_number int,
  to_number int,
  parity text NOT NULL DEFAULT 'all' CHECK (parity IN ('all', 'odd', 'even')),
  polygon jsonb,
  FOREIGN KEY (community_id, outage_id) REFERENCES outages (community_id, id),
  FOREIGN KEY (community_id, street_id) REFERENCES streets (community_id, id),
  FOREIGN KEY (community_id, building_id) REFERENCES buildings (community_id, id),
  FOREIGN KEY (community_id, district_id) REFERENCES address_districts (community_id, id)
);
CREATE INDEX outage_areas_by_outage ON outage_areas (community_id, outage_id);
CREATE INDEX outage_areas_by_street ON outage_areas (community_id, street_id) WHERE street_id IS NOT NULL;

CREATE TABLE outage_updates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities(id),
  outage_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('posted', 'expected_end', 'area', 'partial', 'note', 'closed')),
  note jsonb NOT NULL DEFAULT '{}',
  expected_end_at timestamptz,
  actor_label text,
  at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (community_id, outage_id) REFERENCES outages (community_id, id)
);
CREATE INDEX outage_updates_by_outage ON outage_updates (community_id, outage_id, id);

-- A resident follows a street or a building (and optionally only some kinds) in one channel.
CREATE TABLE outage_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  resident_id uuid,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'telegram')),
  recipient text NOT NULL,
  street_id uuid NOT NULL,
  building_id uuid,
  kinds text[] NOT NULL DEFAULT '{}',
  lang text NOT NULL CHECK (lang IN ('uk', 'en', 'fa')),
  unsubscribe_token text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  FOREIGN KEY (community_id, street_id) REFERENCES streets (community_id, id),
  FOREIGN KEY (community_id, building_id) REFERENCES buildings (community_id, id)
);
CREATE INDEX outage_subscriptions_by_street ON outage_subscriptions (community_id, street_id) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX outage_subscriptions_once ON outage_subscriptions (community_id, channel, recipient, street_id, coalesce(building_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE ended_at IS NULL;

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['outages', 'outage_areas', 'outage_updates', 'outage_subscriptions']::regclass[]) AS t;
REVOKE UPDATE ON outage_updates FROM citydesk_app;
