-- Foundation: communities, organisations, staff, residents, sessions, tokens, audit, outbox.
-- Every community-owned table has community_id and a row-level-security policy for the
-- application role `citydesk_app`, which every request switches to (SET LOCAL ROLE).

-- Roles are cluster-wide: another database on the same server may create it at the same moment.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'citydesk_app') THEN
    CREATE ROLE citydesk_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT citydesk_app TO CURRENT_USER;

CREATE TABLE communities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,40}$'),
  names jsonb NOT NULL,
  default_lang text NOT NULL CHECK (default_lang IN ('uk', 'en', 'fa')),
  time_zone text NOT NULL,
  calendar text NOT NULL CHECK (calendar IN ('gregorian', 'persian')),
  weekend_days smallint[] NOT NULL DEFAULT '{6,0}',
  holidays date[] NOT NULL DEFAULT '{}',
  hosts text[] NOT NULL DEFAULT '{}',
  contacts jsonb NOT NULL DEFAULT '{}',
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX communities_one_default ON communities (is_default) WHERE is_default;

CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  kind text NOT NULL CHECK (kind IN ('department', 'communal_enterprise', 'private_enterprise', 'press_service', 'leadership', 'council')),
  names jsonb NOT NULL,
  phone text,
  email text,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, id)
);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  email text NOT NULL CHECK (email = lower(email)),
  display_name text NOT NULL,
  password_hash text NOT NULL,
  organisation_id uuid,
  totp_secret text,
  totp_enabled_at timestamptz,
  is_super_admin boolean NOT NULL DEFAULT false,
  lang text NOT NULL DEFAULT 'uk' CHECK (lang IN ('uk', 'en', 'fa')),
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, email),
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, organisation_id) REFERENCES organisations (community_id, id)
);

CREATE TABLE user_roles (
  community_id uuid NOT NULL REFERENCES communities(id),
  user_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('community_admin', 'press_editor', 'press_author', 'appeals_operator',
    'appeals_controller', 'executor', 'utility_dispatcher', 'duty_officer', 'council_secretary',
    'media_officer', 'leadership')),
  PRIMARY KEY (community_id, user_id, role),
  FOREIGN KEY (community_id, user_id) REFERENCES users (community_id, id) ON DELETE CASCADE
);

CREATE TABLE recovery_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  user_id uuid NOT NULL,
  code_hash text NOT NULL,
  used_at timestamptz,
  FOREIGN KEY (community_id, user_id) REFERENCES users (community_id, id) ON DELETE CASCADE
);

CREATE TABLE residents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  email text CHECK (email = lower(email)),
  phone text,
  name text,
  lang text NOT NULL DEFAULT 'uk' CHECK (lang IN ('uk', 'en', 'fa')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, email),
  UNIQUE (community_id, phone),
  UNIQUE (community_id, id),
  CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE TABLE resident_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  resident_id uuid NOT NULL,
  code_hash text NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (community_id, resident_id) REFERENCES residents (community_id, id) ON DELETE CASCADE
);

-- One table for staff and resident sessions; the id is the SHA-256 of the cookie value.
CREATE TABLE sessions (
  id text PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities(id),
  user_id uuid,
  resident_id uuid,
  csrf_token text NOT NULL,
  second_factor_at timestamptz,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  CHECK ((user_id IS NULL) <> (resident_id IS NULL)),
  FOREIGN KEY (community_id, user_id) REFERENCES users (community_id, id) ON DELETE CASCADE,
  FOREIGN KEY (community_id, resident_id) REFERENCES residents (community_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (community_id, user_id) WHERE ended_at IS NULL;

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  user_id uuid NOT NULL,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  FOREIGN KEY (community_id, user_id) REFERENCES users (community_id, id) ON DELETE CASCADE
);

-- Every message that leaves CityDesk (e-mail, SMS, messenger) is a row here first.
CREATE TABLE outbox_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'telegram')),
  recipient text NOT NULL,
  subject text,
  body text NOT NULL,
  purpose text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'held', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  provider_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_by_time ON outbox_messages (community_id, created_at DESC);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id uuid REFERENCES communities(id),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'resident', 'token', 'system', 'anonymous')),
  actor_id uuid,
  actor_label text,
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text,
  changes jsonb,
  request_id text,
  ip text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_by_object ON audit_log (community_id, object_type, object_id, at DESC);
CREATE INDEX audit_by_time ON audit_log (community_id, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Deployment-wide tables (no community): rate limits shared by every process, settings.
CREATE TABLE rate_limits (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  hits int NOT NULL DEFAULT 0,
  PRIMARY KEY (key, window_start)
);

CREATE TABLE app_settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- Row-level security: the application role sees only the community of the transaction.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organisations', 'users', 'user_roles', 'recovery_codes', 'residents',
    'resident_codes', 'sessions', 'api_tokens', 'outbox_messages', 'audit_log'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY tenant ON %I TO citydesk_app
      USING (community_id = nullif(current_setting('app.community_id', true), '')::uuid)
      WITH CHECK (community_id = nullif(current_setting('app.community_id', true), '')::uuid)$p$, t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO citydesk_app', t);
  END LOOP;
END $$;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM citydesk_app;
GRANT SELECT ON communities TO citydesk_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO citydesk_app;
GRANT SELECT ON app_settings TO citydesk_app;
