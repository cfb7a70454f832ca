-- Appeals at scale (a million a year in one community): what the period dashboard and
-- intake need. Measured with `npm run bench -- appeals-dashboard appeals-intake`;
-- bench/README.md has the figures.

-- The period dashboard reads only this index (an index-only scan in order of registration),
-- never the wide rows with descriptions and applicants' details.
CREATE INDEX appeals_dashboard ON appeals (community_id, created_at)
  INCLUDE (channel, type, status, category_id, executor_org_id, resolved_at, closed_at, service_due_at, reopen_count, address);

-- The open appeals only (a few thousand among a million): the dashboard's "on control" and
-- "overdue" counts read this small index instead of the whole table.
CREATE INDEX appeals_open ON appeals (community_id, service_due_at) INCLUDE (legal_due_at, on_control, status)
  WHERE status IN ('registered', 'in_progress', 'reported', 'reopened');

-- Bad ratings in a period, per executor, without reading the whole timeline.
CREATE INDEX appeal_events_by_kind ON appeal_events (community_id, kind, at) WHERE kind = 'rate_bad';

-- Registration numbers from a sequence per community and year instead of a counter row
-- locked until the filing transaction commits, which let one appeal through per commit
-- (a disk flush) and capped intake at a few hundred a second. A sequence hands out numbers
-- without waiting; a filing that rolls back, or a crash, leaves a gap in the journal.
-- docs/decisions/0004-appeal-numbers.md explains the choice.
-- appeal_counters stays: it records numbers given outside this function (an imported
-- journal, the demo year) and the sequence continues after them.
CREATE FUNCTION appeal_number(p_community uuid, p_year int) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  seq text := format('appeal_no_%s_%s', replace(p_community::text, '-', ''), p_year);
  tenant text := nullif(current_setting('app.community_id', true), '');
  floor_n int;
  n bigint;
BEGIN
  -- Tenancy: a community's transaction takes only its own community's numbers.
  IF tenant IS NOT NULL AND tenant::uuid <> p_community THEN
    RAISE EXCEPTION 'appeal_number: not this transaction''s community' USING ERRCODE = '42501';
  END IF;
  IF p_year NOT BETWEEN 2000 AND 2999 THEN
    RAISE EXCEPTION 'appeal_number: year % out of range', p_year USING ERRCODE = '22003';
  END IF;
  IF to_regclass(seq) IS NULL THEN
    -- The year's first appeal: two filings at once must not both create the sequence.
    PERFORM pg_advisory_xact_lock(hashtext(seq));
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS bigint', seq);
  END IF;
  n := nextval(seq);
  SELECT last INTO floor_n FROM appeal_counters WHERE community_id = p_community AND year = p_year;
  IF floor_n IS NOT NULL AND n <= floor_n THEN
    -- Behind numbers given elsewhere: move past them, one session at a time.
    PERFORM pg_advisory_xact_lock(hashtext(seq));
    n := nextval(seq);
    IF n <= floor_n THEN
      PERFORM setval(seq, floor_n);
      n := nextval(seq);
    END IF;
  END IF;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION appeal_number(uuid, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION appeal_number(uuid, int) TO citydesk_app;
