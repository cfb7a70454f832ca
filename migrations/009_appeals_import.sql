-- CSV import of historical appeals: one row per uploaded file ("run"), processed by a job in
-- batches, each batch in its own transaction together with the run's progress; and the mark
-- on every appeal an import created. Rules and columns in src/modules/appeals/README.md.

CREATE TABLE appeal_import_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  file_name text NOT NULL DEFAULT '',
  -- The uploaded text itself: the job reads it batch by batch, so a restart resumes at `done`.
  source text NOT NULL,
  total int NOT NULL CHECK (total >= 0),
  done int NOT NULL DEFAULT 0 CHECK (done >= 0 AND done <= total),
  created int NOT NULL DEFAULT 0,
  skipped int NOT NULL DEFAULT 0,
  rejected int NOT NULL DEFAULT 0,
  -- [{ "line": 7, "number": "...", "field": "category", "reason": "unknown_category" }]
  rejected_rows jsonb NOT NULL DEFAULT '[]',
  created_by uuid,
  created_by_label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (community_id, id)
);
CREATE INDEX appeal_import_runs_by_time ON appeal_import_runs (community_id, created_at DESC);

-- "Imported from the historical register": the appeal keeps its original number, dates and
-- status; this row says which run brought it (and a re-run finds it by its number).
CREATE TABLE appeal_imported (
  community_id uuid NOT NULL REFERENCES communities(id),
  appeal_id uuid NOT NULL,
  run_id uuid NOT NULL,
  line int NOT NULL,
  PRIMARY KEY (community_id, appeal_id),
  FOREIGN KEY (community_id, appeal_id) REFERENCES appeals (community_id, id),
  FOREIGN KEY (community_id, run_id) REFERENCES appeal_import_runs (community_id, id)
);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['appeal_import_runs', 'appeal_imported']::regclass[]) AS t;
REVOKE UPDATE ON appeal_imported FROM citydesk_app;

-- The export reads appeals newest first in keyset batches of (created_at, id): this index lets
-- each batch stop after its rows instead of sorting the community's whole history again.
CREATE INDEX appeals_keyset ON appeals (community_id, created_at DESC, id DESC);
