-- The period dashboard from per-day figures (src/modules/appeals/dashboard-summary.ts):
-- a year of a million appeals is read as a few hundred summary rows instead of a million
-- index entries. The figures that add up over days are kept per local day of the community
-- (and per local month, the sum of its days); what is "as of now" (on control, overdue) is
-- still counted live from the partial index of open appeals (migration 010).
--
-- Freshness: a change that can move a figure writes the instant it concerns (the appeal's
-- registration time, or a bad rating's time) to appeal_dash_dirty, in the same transaction;
-- the next read (or the appeals.daily job) recomputes those days before it answers.
-- Filings write nothing: the days of the last hour (and today) are never taken from the
-- summary but counted directly, and a filing dated more than 10 minutes before its own
-- transaction (imports, the demo year) is caught by the WHEN of a row trigger, which for an
-- ordinary filing is one comparison and queues nothing.

-- Per community: the summary exists, for this time zone, for every local day before sealed_until.
CREATE TABLE appeal_dash_state (
  community_id uuid PRIMARY KEY REFERENCES communities(id),
  time_zone text NOT NULL,
  sealed_until timestamptz NOT NULL,
  built_at timestamptz NOT NULL DEFAULT now()
);

-- Days whose "missed target" count depends on the clock (open appeals without a result yet):
-- the stored count is right while valid_after < now() <= valid_until.
CREATE TABLE appeal_dash_days (
  community_id uuid NOT NULL REFERENCES communities(id),
  day date NOT NULL,
  valid_after timestamptz NOT NULL DEFAULT '-infinity',
  valid_until timestamptz NOT NULL DEFAULT 'infinity',
  PRIMARY KEY (community_id, day)
);

-- The figures of a day (span 'd') or a whole month (span 'm', start = its first day), per
-- dimension: dim 'all' (key ''), 'channel', 'type', 'status', 'category', 'executor', and
-- 'bad' (bad ratings given that day, by the appeal's executor).
CREATE TABLE appeal_dash_figures (
  community_id uuid NOT NULL REFERENCES communities(id),
  span char(1) NOT NULL CHECK (span IN ('d', 'm')),
  start date NOT NULL,
  dim text NOT NULL,
  key text NOT NULL,
  n int NOT NULL,
  resolved int NOT NULL DEFAULT 0,
  fast int NOT NULL DEFAULT 0,
  missed int NOT NULL DEFAULT 0,
  reopened int NOT NULL DEFAULT 0,
  open int NOT NULL DEFAULT 0,
  PRIMARY KEY (community_id, span, start, dim, key)
);

-- Appeals per address and category (the "repeated problems"), per day and per month: one
-- row per block, the pairs' numbers (appeal_dash_pairs) and their counts as two arrays, so a
-- year is a few dozen rows whatever the number of addresses.
CREATE TABLE appeal_dash_pairs (
  community_id uuid NOT NULL REFERENCES communities(id),
  id int GENERATED ALWAYS AS IDENTITY,
  address text NOT NULL,
  category_id uuid NOT NULL,
  PRIMARY KEY (community_id, id),
  UNIQUE (community_id, category_id, address)
);
CREATE TABLE appeal_dash_repeats (
  community_id uuid NOT NULL REFERENCES communities(id),
  span char(1) NOT NULL CHECK (span IN ('d', 'm')),
  start date NOT NULL,
  pairs int[] NOT NULL,
  counts int[] NOT NULL,
  PRIMARY KEY (community_id, span, start)
);

-- Instants whose local day must be recomputed. Append-only (no unique key, so two
-- transactions never wait for each other here); the refresh deletes what it read.
CREATE TABLE appeal_dash_dirty (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id uuid NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX appeal_dash_dirty_by_community ON appeal_dash_dirty (community_id);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['appeal_dash_state', 'appeal_dash_days', 'appeal_dash_figures', 'appeal_dash_pairs', 'appeal_dash_repeats', 'appeal_dash_dirty']::regclass[]) AS t;
GRANT DELETE ON appeal_dash_state, appeal_dash_days, appeal_dash_figures, appeal_dash_pairs, appeal_dash_repeats, appeal_dash_dirty TO citydesk_app;

-- The trigger functions run as their owner: they only append instants of the row's own community.
CREATE FUNCTION appeal_dash_touch_appeal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  moved boolean := false;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO appeal_dash_dirty (community_id, at) VALUES (NEW.community_id, NEW.created_at);
    RETURN NULL;
  END IF;
  INSERT INTO appeal_dash_dirty (community_id, at) VALUES (OLD.community_id, OLD.created_at);
  IF TG_OP = 'UPDATE' THEN
    IF NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.community_id IS DISTINCT FROM OLD.community_id THEN
      INSERT INTO appeal_dash_dirty (community_id, at) VALUES (NEW.community_id, NEW.created_at);
    END IF;
    moved := NEW.executor_org_id IS DISTINCT FROM OLD.executor_org_id OR NEW.community_id IS DISTINCT FROM OLD.community_id;
  END IF;
  -- Bad ratings count for the appeal's executor on the day they were given.
  IF TG_OP = 'DELETE' OR moved THEN
    INSERT INTO appeal_dash_dirty (community_id, at)
    SELECT OLD.community_id, e.at FROM appeal_events e
    WHERE e.community_id = OLD.community_id AND e.appeal_id = OLD.id AND e.kind = 'rate_bad';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION appeal_dash_touch_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'rate_bad' THEN
    INSERT INTO appeal_dash_dirty (community_id, at) VALUES (OLD.community_id, OLD.at);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'rate_bad' THEN
    INSERT INTO appeal_dash_dirty (community_id, at) VALUES (NEW.community_id, NEW.at);
  END IF;
  RETURN NULL;
END $$;

-- A filing registered now queues nothing (the WHEN is false); only back-dated rows are recorded.
CREATE TRIGGER appeal_dash_backdated AFTER INSERT ON appeals
  FOR EACH ROW WHEN (NEW.created_at < now() - interval '10 minutes') EXECUTE FUNCTION appeal_dash_touch_appeal();
-- Only changes of a column some figure reads (not notes, reminders, flags).
CREATE TRIGGER appeal_dash_changed AFTER UPDATE ON appeals
  FOR EACH ROW WHEN (
    OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.executor_org_id IS DISTINCT FROM NEW.executor_org_id
    OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
    OR OLD.service_due_at IS DISTINCT FROM NEW.service_due_at OR OLD.reopen_count IS DISTINCT FROM NEW.reopen_count
    OR OLD.address IS DISTINCT FROM NEW.address OR OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.community_id IS DISTINCT FROM NEW.community_id)
  EXECUTE FUNCTION appeal_dash_touch_appeal();
CREATE TRIGGER appeal_dash_deleted AFTER DELETE ON appeals
  FOR EACH ROW EXECUTE FUNCTION appeal_dash_touch_appeal();
-- The registration entry of a filing is not a bad rating: one comparison, nothing queued.
CREATE TRIGGER appeal_dash_rating AFTER INSERT ON appeal_events
  FOR EACH ROW WHEN (NEW.kind = 'rate_bad') EXECUTE FUNCTION appeal_dash_touch_event();
CREATE TRIGGER appeal_dash_rating_changed AFTER UPDATE ON appeal_events
  FOR EACH ROW WHEN (OLD.kind = 'rate_bad' OR NEW.kind = 'rate_bad') EXECUTE FUNCTION appeal_dash_touch_event();
CREATE TRIGGER appeal_dash_rating_deleted AFTER DELETE ON appeal_events
  FOR EACH ROW WHEN (OLD.kind = 'rate_bad') EXECUTE FUNCTION appeal_dash_touch_event();
