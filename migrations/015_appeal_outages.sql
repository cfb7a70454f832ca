-- Appeals during an outage: a category may name the kind of outage its problems come from
-- (no water → cold water); an appeal filed at an address an active notice of that kind covers
-- is linked to the notice, and closing the notice may close its linked appeals.
-- Rules in src/modules/outages/README.md and src/modules/appeals/README.md.
ALTER TABLE appeal_categories ADD COLUMN outage_kind text
  CHECK (outage_kind IN ('cold_water', 'hot_water', 'heating', 'electricity', 'gas', 'sewerage', 'roads', 'other'));

CREATE TABLE appeal_outage_links (
  community_id uuid NOT NULL REFERENCES communities(id),
  appeal_id uuid NOT NULL,
  outage_id uuid NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, appeal_id, outage_id),
  FOREIGN KEY (community_id, appeal_id) REFERENCES appeals (community_id, id),
  FOREIGN KEY (community_id, outage_id) REFERENCES outages (community_id, id)
);
CREATE INDEX appeal_outage_links_by_outage ON appeal_outage_links (community_id, outage_id);

-- A point inside a closed ring [[lat, lon], ...] (ray casting, the same test as
-- areas.ts: insidePolygon), so that an address is matched against every kind of area rule in
-- one query.
CREATE FUNCTION outage_point_in_ring(lat double precision, lon double precision, ring jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH p AS (
    SELECT (e->>0)::float8 AS y, (e->>1)::float8 AS x, i, count(*) OVER () AS n
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ring) = 'array' THEN ring ELSE '[]'::jsonb END) WITH ORDINALITY AS t(e, i)
  )
  SELECT coalesce(count(*) FILTER (WHERE CASE WHEN (a.y > lat) <> (b.y > lat)
    THEN lon < (b.x - a.x) * (lat - a.y) / (b.y - a.y) + a.x ELSE false END) % 2 = 1, false)
  FROM p a JOIN p b ON b.i = CASE WHEN a.i = 1 THEN a.n ELSE a.i - 1 END
$$;

SELECT citydesk_tenant_table('appeal_outage_links');
