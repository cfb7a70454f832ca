-- Videos in the media library (issue 4, N5): an MP4 (H.264/AAC) or WebM file, recognised by its
-- container header, with a poster frame grabbed by ffmpeg when the server has it. The poster is
-- stored as the item's "original" picture (poster.jpg) and gets the photos' responsive variants.
ALTER TABLE media_items ADD COLUMN kind text NOT NULL DEFAULT 'image' CHECK (kind IN ('image', 'video'));
-- length of a video in milliseconds (from its header, then from ffmpeg)
ALTER TABLE media_items ADD COLUMN duration_ms int CHECK (duration_ms >= 0);
-- whether poster.jpg exists; when the job ran without making one, why: no ffmpeg, or no frame read
ALTER TABLE media_items ADD COLUMN poster boolean NOT NULL DEFAULT false;
ALTER TABLE media_items ADD COLUMN poster_problem text CHECK (poster_problem IN ('no_ffmpeg', 'no_frame'));

ALTER TABLE media_items DROP CONSTRAINT media_items_format_check;
ALTER TABLE media_items ADD CONSTRAINT media_items_format_check
  CHECK (CASE kind WHEN 'video' THEN format IN ('mp4', 'webm') ELSE format IN ('jpeg', 'png') END);
-- A video's size is unknown (0) until its header or its poster frame tells it.
ALTER TABLE media_items DROP CONSTRAINT media_items_width_check;
ALTER TABLE media_items DROP CONSTRAINT media_items_height_check;
ALTER TABLE media_items ADD CONSTRAINT media_items_size_check
  CHECK (width >= 0 AND height >= 0 AND (kind = 'video' OR (width > 0 AND height > 0)));
CREATE INDEX media_items_videos ON media_items (community_id, created_at DESC) WHERE kind = 'video';
