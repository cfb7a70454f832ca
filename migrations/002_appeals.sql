-- Appeals desk ("15-80"): categories, appeals, their timeline, numbering, rating links,
-- idempotent intake. Rules in src/modules/appeals/README.md.

CREATE TABLE appeal_categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,40}$'),
  names jsonb NOT NULL,
  keywords jsonb NOT NULL DEFAULT '{}',
  icon text NOT NULL DEFAULT '📌',
  executor_org_id uuid NOT NULL,
  service_hours int NOT NULL CHECK (service_hours BETWEEN 1 AND 2160),
  service_mode text NOT NULL DEFAULT 'working' CHECK (service_mode IN ('working', 'calendar')),
  legal_days smallint NOT NULL DEFAULT 15 CHECK (legal_days IN (15, 30)),
  is_public boolean NOT NULL DEFAULT false,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, code),
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, executor_org_id) REFERENCES organisations (community_id, id)
);

CREATE TABLE appeal_counters (
  community_id uuid NOT NULL REFERENCES communities(id),
  year int NOT NULL,
  last int NOT NULL,
  PRIMARY KEY (community_id, year)
);

CREATE TABLE appeals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  number text NOT NULL,
  type text NOT NULL CHECK (type IN ('proposal', 'statement', 'complaint', 'consultation', 'thanks')),
  channel text NOT NULL CHECK (channel IN ('phone', 'web', 'email', 'messenger', 'facebook', 'walk_in', 'open311')),
  status text NOT NULL CHECK (status IN ('registered', 'in_progress', 'reported', 'reopened', 'resolved', 'closed')),
  category_id uuid NOT NULL,
  description text NOT NULL,
  address text,
  lat double precision,
  lon double precision,
  applicant_name text,
  applicant_phone text,
  applicant_email text,
  applicant_address text,
  notify_via text NOT NULL DEFAULT 'none' CHECK (notify_via IN ('email', 'sms', 'none')),
  lang text NOT NULL DEFAULT 'uk' CHECK (lang IN ('uk', 'en', 'fa')),
  anonymous boolean NOT NULL,
  confidential boolean NOT NULL DEFAULT false,
  resident_id uuid,
  executor_org_id uuid NOT NULL,
  legal_days smallint CHECK (legal_days IN (15, 30)),
  legal_extension_days smallint NOT NULL DEFAULT 0 CHECK (legal_extension_days BETWEEN 0 AND 30),
  legal_due_at timestamptz,
  service_due_at timestamptz NOT NULL,
  on_control boolean NOT NULL DEFAULT false,
  reassign_requested boolean NOT NULL DEFAULT false,
  reopen_count int NOT NULL DEFAULT 0,
  rating smallint CHECK (rating BETWEEN 1 AND 5),
  created_by uuid,
  accepted_at timestamptz,
  reported_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, number),
  UNIQUE (community_id, id),
  CHECK (legal_days IS NULL OR legal_days + legal_extension_days <= 45),
  FOREIGN KEY (community_id, category_id) REFERENCES appeal_categories (community_id, id),
  FOREIGN KEY (community_id, executor_org_id) REFERENCES organisations (community_id, id),
  FOREIGN KEY (community_id, resident_id) REFERENCES residents (community_id, id)
);
CREATE INDEX appeals_queue ON appeals (community_id, executor_org_id, status, service_due_at);
CREATE INDEX appeals_by_time ON appeals (community_id, created_at DESC);
CREATE INDEX appeals_by_resident ON appeals (community_id, resident_id, created_at DESC) WHERE resident_id IS NOT NULL;
CREATE INDEX appeals_by_phone ON appeals (community_id, applicant_phone) WHERE applicant_phone IS NOT NULL;

-- The timeline: every transition and note. `public` events are shown to the applicant.
CREATE TABLE appeal_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities(id),
  appeal_id uuid NOT NULL,
  kind text NOT NULL,
  from_status text,
  to_status text,
  note text,
  is_public boolean NOT NULL DEFAULT true,
  actor_type text NOT NULL,
  actor_id uuid,
  actor_label text,
  at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (community_id, appeal_id) REFERENCES appeals (community_id, id)
);
CREATE INDEX appeal_events_by_appeal ON appeal_events (community_id, appeal_id, id);

CREATE TABLE appeal_rating_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  appeal_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  FOREIGN KEY (community_id, appeal_id) REFERENCES appeals (community_id, id)
);

-- A retried POST with the same Idempotency-Key returns what the first one created.
CREATE TABLE idempotency_keys (
  community_id uuid NOT NULL REFERENCES communities(id),
  scope text NOT NULL,
  key text NOT NULL,
  result_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, scope, key)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['appeal_categories', 'appeal_counters', 'appeals', 'appeal_events', 'appeal_rating_requests', 'idempotency_keys'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY tenant ON %I TO citydesk_app
      USING (community_id = nullif(current_setting('app.community_id', true), '')::uuid)
      WITH CHECK (community_id = nullif(current_setting('app.community_id', true), '')::uuid)$p$, t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO citydesk_app', t);
  END LOOP;
END $$;
-- Appeals are archived, never deleted; their timeline is append-only.
REVOKE UPDATE ON appeal_events FROM citydesk_app;
