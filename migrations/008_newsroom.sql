-- Newsroom: materials with language versions, each published on its own; categories, tags,
-- rubrics (recurring series), campaigns; revisions for corrections after publishing.

CREATE TABLE news_categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,40}$'),
  names jsonb NOT NULL,
  position int NOT NULL DEFAULT 0,
  archived_at timestamptz,
  UNIQUE (community_id, code),
  UNIQUE (community_id, id)
);

CREATE TABLE news_rubrics (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,40}$'),
  names jsonb NOT NULL,
  descriptions jsonb NOT NULL DEFAULT '{}',
  archived_at timestamptz,
  UNIQUE (community_id, code),
  UNIQUE (community_id, id)
);

-- A tag has one slug and a label per language ("безбар'єрність" / "accessibility").
CREATE TABLE news_tags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  slug text NOT NULL CHECK (slug ~ '^[^/?#\s]{1,80}$'),
  names jsonb NOT NULL,
  UNIQUE (community_id, slug),
  UNIQUE (community_id, id)
);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,40}$'),
  names jsonb NOT NULL,
  goals jsonb NOT NULL DEFAULT '{}',
  tag_id uuid,
  starts_on date NOT NULL,
  ends_on date NOT NULL CHECK (ends_on >= starts_on),
  channels text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  UNIQUE (community_id, code),
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, tag_id) REFERENCES news_tags (community_id, id)
);

CREATE TABLE materials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  type text NOT NULL CHECK (type IN ('news', 'press_release', 'post_release', 'announcement', 'official_notice', 'photo_report', 'video_report', 'infographic')),
  category_id uuid,
  rubric_id uuid,
  campaign_id uuid,
  place text,
  author_id uuid,
  urgent boolean NOT NULL DEFAULT false,
  cover_media_id uuid,
  video_url text,
  video_media_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, category_id) REFERENCES news_categories (community_id, id),
  FOREIGN KEY (community_id, rubric_id) REFERENCES news_rubrics (community_id, id),
  FOREIGN KEY (community_id, campaign_id) REFERENCES campaigns (community_id, id),
  FOREIGN KEY (community_id, author_id) REFERENCES users (community_id, id)
);
CREATE INDEX materials_by_campaign ON materials (community_id, campaign_id) WHERE campaign_id IS NOT NULL;

CREATE TABLE material_tags (
  community_id uuid NOT NULL REFERENCES communities(id),
  material_id uuid NOT NULL,
  tag_id uuid NOT NULL,
  PRIMARY KEY (community_id, material_id, tag_id),
  FOREIGN KEY (community_id, material_id) REFERENCES materials (community_id, id),
  FOREIGN KEY (community_id, tag_id) REFERENCES news_tags (community_id, id)
);
CREATE INDEX material_tags_by_tag ON material_tags (community_id, tag_id);

-- Photos of a gallery, in order (media ids of the media module).
CREATE TABLE material_gallery (
  community_id uuid NOT NULL REFERENCES communities(id),
  material_id uuid NOT NULL,
  media_id uuid NOT NULL,
  position int NOT NULL,
  PRIMARY KEY (community_id, material_id, media_id),
  FOREIGN KEY (community_id, material_id) REFERENCES materials (community_id, id)
);

-- One language version of a material; each has its own workflow status and is published
-- on its own. `search` is built by the application (light stemming for Ukrainian,
-- letter-variant folding for Persian) with the 'simple' configuration.
CREATE TABLE material_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  community_id uuid NOT NULL REFERENCES communities(id),
  material_id uuid NOT NULL,
  lang text NOT NULL CHECK (lang IN ('uk', 'en', 'fa')),
  slug text NOT NULL CHECK (slug ~ '^[^/?#\s]{1,120}$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  lead text NOT NULL DEFAULT '',
  body_html text NOT NULL DEFAULT '',
  body_text text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'approved', 'scheduled', 'published', 'unpublished', 'archived')),
  revision int NOT NULL DEFAULT 1,
  scheduled_at timestamptz,
  published_at timestamptz,
  first_published_at timestamptz,
  corrected_at timestamptz,
  correction_note text,
  channels text[] NOT NULL DEFAULT '{}',
  channel_texts jsonb NOT NULL DEFAULT '{}',
  search tsvector,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, material_id, lang),
  UNIQUE (community_id, lang, slug),
  UNIQUE (community_id, id),
  FOREIGN KEY (community_id, material_id) REFERENCES materials (community_id, id)
);
CREATE INDEX material_versions_published ON material_versions (community_id, lang, published_at DESC) WHERE status = 'published';
CREATE INDEX material_versions_scheduled ON material_versions (scheduled_at) WHERE status = 'scheduled';
CREATE INDEX material_versions_workflow ON material_versions (community_id, status, updated_at DESC);
CREATE INDEX material_versions_search ON material_versions USING gin (search);

-- Every saved state of a version: the history behind an "updated" note. Append-only.
CREATE TABLE material_revisions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities(id),
  version_id uuid NOT NULL,
  revision int NOT NULL,
  status text NOT NULL,
  title text NOT NULL,
  lead text NOT NULL,
  body_html text NOT NULL,
  note text,
  actor_id uuid,
  actor_label text,
  at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (community_id, version_id) REFERENCES material_versions (community_id, id)
);
CREATE INDEX material_revisions_by_version ON material_revisions (community_id, version_id, id);

SELECT citydesk_tenant_table(t) FROM unnest(ARRAY['news_categories', 'news_rubrics', 'news_tags', 'campaigns', 'materials', 'material_tags', 'material_gallery', 'material_versions', 'material_revisions']::regclass[]) AS t;
-- Tags and gallery entries are links: they may be removed. Materials are archived, never deleted.
GRANT DELETE ON material_tags, material_gallery TO citydesk_app;
REVOKE UPDATE ON material_revisions FROM citydesk_app;
