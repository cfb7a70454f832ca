-- The community's address register: districts, streets (names per language, former names),
-- buildings, and import runs. Rules in src/modules/addresses/README.md.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE address_districts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  key text NOT NULL,
  names jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, key),
  UNIQUE (community_id, id)
);

CREATE TABLE streets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  kind text NOT NULL CHECK (kind IN ('street', 'avenue', 'lane', 'boulevard', 'square', 'passage', 'embankment', 'dead_end', 'alley', 'highway', 'other')),
  names jsonb NOT NULL,
  former_names jsonb NOT NULL DEFAULT '[]',
  -- The normalised name in the community's default language, with the kind: one street per pair.
  key text NOT NULL,
  district_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, kind, key),
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, district_id) REFERENCES address_districts (community_id, id)
);

-- Every name a street is searched by (each language, each former name), normalised.
CREATE TABLE street_names (
  community_id uuid NOT NULL REFERENCES communities(id),
  street_id uuid NOT NULL,
  key text NOT NULL,
  former boolean NOT NULL DEFAULT false,
  PRIMARY KEY (community_id, street_id, key),
  FOREIGN KEY (community_id, street_id) REFERENCES streets (community_id, id) ON DELETE CASCADE
);
-- Equality and prefix ("шевч…") through the btree, typos and word matches through the trigrams.
CREATE INDEX street_names_prefix ON street_names (key text_pattern_ops);
CREATE INDEX street_names_trgm ON street_names USING gin (key gin_trgm_ops);
-- The planner takes pg_trgm's word-similarity operators for cheap and scans every name with
-- them (~30 µs a row) instead of asking the trigram index (~0.1 ms in all). Their real cost
-- makes it use the index. Where the migration may not alter the extension, it goes on without.
DO $$
BEGIN
  ALTER FUNCTION word_similarity_op(text, text) COST 500;
  ALTER FUNCTION word_similarity_commutator_op(text, text) COST 500;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'pg_trgm operator costs left as they are (not the owner)';
END $$;

-- Street names near a typed key, for the transaction's community only. Row-level security would
-- keep the planner off the indexes here (LIKE and pg_trgm's operators are not leakproof, so
-- they may only run after the policy's filter, i.e. on every name of the community); this
-- function applies the same community filter itself, as the owner, and uses the indexes.
CREATE FUNCTION street_name_hits(q text, lim int)
RETURNS TABLE (street_id uuid, key text, former boolean, score real, exact boolean, prefix boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET pg_trgm.word_similarity_threshold = 0.5
AS $$
  SELECT n.street_id, n.key, n.former, word_similarity(q, n.key), n.key = q,
    (n.key LIKE replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
      OR n.key LIKE '% ' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%')
  FROM street_names n
  WHERE n.community_id = nullif(current_setting('app.community_id', true), '')::uuid
    AND (n.key = q OR q <% n.key
      OR n.key LIKE replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
      OR n.key LIKE '% ' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%')
  ORDER BY n.key = q DESC, word_similarity(q, n.key) DESC, length(n.key)
  LIMIT lim
$$;
REVOKE ALL ON FUNCTION street_name_hits(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION street_name_hits(text, int) TO citydesk_app;

CREATE TABLE buildings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  street_id uuid NOT NULL,
  number text NOT NULL,
  number_key text NOT NULL,
  district_id uuid,
  lat double precision CHECK (lat BETWEEN -90 AND 90),
  lon double precision CHECK (lon BETWEEN -180 AND 180),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The outages module looks buildings up by (street, number): this index answers it.
  UNIQUE (community_id, street_id, number_key),
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, street_id) REFERENCES streets (community_id, id),
  FOREIGN KEY (community_id, district_id) REFERENCES address_districts (community_id, id)
);
CREATE INDEX buildings_by_district ON buildings (community_id, district_id);

CREATE TABLE address_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  format text NOT NULL CHECK (format IN ('csv', 'osm', 'geojson')),
  file_name text,
  -- The uploaded text, kept until the run ends (then cleared) so that a retried job can redo it.
  payload text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  total int NOT NULL DEFAULT 0,
  processed int NOT NULL DEFAULT 0,
  streets_added int NOT NULL DEFAULT 0,
  buildings_added int NOT NULL DEFAULT 0,
  buildings_updated int NOT NULL DEFAULT 0,
  rejected jsonb NOT NULL DEFAULT '[]',
  error text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (community_id, id)
);
CREATE INDEX address_imports_by_time ON address_imports (community_id, created_at DESC);

-- Appeals point at the register when their address was found there.
ALTER TABLE appeals ADD COLUMN street_id uuid, ADD COLUMN building_id uuid,
  ADD FOREIGN KEY (community_id, street_id) REFERENCES streets (community_id, id),
  ADD FOREIGN KEY (community_id, building_id) REFERENCES buildings (community_id, id);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['address_districts', 'streets', 'street_names', 'buildings', 'address_imports']::regclass[]) AS t;
-- A street's search names are rewritten whole when the street is renamed.
GRANT DELETE ON street_names TO citydesk_app;
