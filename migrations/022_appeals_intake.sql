-- Intake at a call centre's pace (issue 3: 1,500 appeals/s on two cores). Measured with
-- `npm run bench -- appeals-intake`; bench/README.md has the figures.

-- A batch of filings takes its registration numbers in one call instead of one call per
-- appeal: the same rules as appeal_number (010), the same sequence, `p_count` numbers at once.
-- The numbers are increasing but, with other sessions taking numbers at the same moment, not
-- always consecutive.
CREATE FUNCTION appeal_numbers(p_community uuid, p_year int, p_count int) RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF p_count IS NULL OR p_count < 1 THEN
    RETURN;
  END IF;
  IF p_count > 10000 THEN
    RAISE EXCEPTION 'appeal_numbers: % numbers at once is too many', p_count USING ERRCODE = '22003';
  END IF;
  -- The first through appeal_number: its tenant and year checks, the year's sequence made on
  -- first use, and a start past any number given elsewhere. The sequence only goes up from it.
  RETURN NEXT appeal_number(p_community, p_year);
  RETURN QUERY SELECT nextval(format('appeal_no_%s_%s', replace(p_community::text, '-', ''), p_year)::regclass)
    FROM generate_series(2, p_count);
END $$;
REVOKE ALL ON FUNCTION appeal_numbers(uuid, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION appeal_numbers(uuid, int, int) TO citydesk_app;

-- Index and checks that every new appeal paid for and nothing needed:
-- (community_id, created_at DESC) is the prefix of appeals_keyset (community_id, created_at DESC, id DESC).
DROP INDEX appeals_by_time;
-- An appeal's community is checked by its category's key (community_id, category_id), an
-- event's by its appeal's key (community_id, appeal_id): the plain community keys checked
-- the same thing a second time for every row.
ALTER TABLE appeals DROP CONSTRAINT appeals_community_id_fkey;
ALTER TABLE appeal_events DROP CONSTRAINT appeal_events_community_id_fkey;
