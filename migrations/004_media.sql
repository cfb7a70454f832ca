-- Media: uploaded images (residents' photos of appeals, the newsroom's library) and the link
-- of photos to appeals. The files live in storage (local disk by default); these rows say what
-- each file is and who may see it. Rules in src/modules/media/README.md.

CREATE TABLE media_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  purpose text NOT NULL CHECK (purpose IN ('appeal', 'newsroom')),
  -- private: served only with a signed URL (?sig=), never cached by shared caches
  visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
  -- the stored, normalised original: EXIF orientation applied, every metadata block removed
  format text NOT NULL CHECK (format IN ('jpeg', 'png')),
  source_format text NOT NULL,
  width int NOT NULL CHECK (width > 0),
  height int NOT NULL CHECK (height > 0),
  bytes int NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL,
  filename text,
  alt jsonb NOT NULL DEFAULT '{}',
  caption jsonb NOT NULL DEFAULT '{}',
  credit text,
  -- widths whose AVIF/WebP/JPEG variants exist (written by the media.variants job)
  variant_widths int[] NOT NULL DEFAULT '{}',
  variants_at timestamptz,
  created_by_type text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  UNIQUE (community_id, id)
);
CREATE INDEX media_items_by_time ON media_items (community_id, purpose, created_at DESC);

-- Photos of an appeal: filed with it (event_id null), or added later with a timeline event
-- (the resident's addition, an executor's note or report). The event's is_public decides
-- whether the applicant sees the photo.
CREATE TABLE appeal_photos (
  community_id uuid NOT NULL REFERENCES communities(id),
  appeal_id uuid NOT NULL,
  media_id uuid NOT NULL,
  event_id bigint REFERENCES appeal_events(id),
  added_by_type text NOT NULL CHECK (added_by_type IN ('applicant', 'staff')),
  -- clock_timestamp, not now(): photos added in one transaction keep the order they were chosen in
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (community_id, media_id),
  FOREIGN KEY (community_id, appeal_id) REFERENCES appeals (community_id, id),
  FOREIGN KEY (community_id, media_id) REFERENCES media_items (community_id, id)
);
CREATE INDEX appeal_photos_by_appeal ON appeal_photos (community_id, appeal_id, created_at);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['media_items', 'appeal_photos']::regclass[]) AS t;
-- A photo stays with its appeal: the link is never moved or removed.
REVOKE UPDATE ON appeal_photos FROM citydesk_app;
