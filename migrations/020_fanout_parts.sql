-- An alert's fan-out is written in parts, each in its own transaction on its own connection,
-- so PostgreSQL writes them on every CPU at once. A part is claimed by its row here, in the
-- same transaction as the outbox rows it makes: each part happens exactly once, and a job run
-- again after a crash writes only the parts that never committed.
ALTER TABLE alert_fanouts ADD COLUMN part smallint NOT NULL DEFAULT 0;
ALTER TABLE alert_fanouts ADD COLUMN parts smallint NOT NULL DEFAULT 1;
ALTER TABLE alert_fanouts DROP CONSTRAINT alert_fanouts_community_id_alert_id_version_key;
ALTER TABLE alert_fanouts ADD CONSTRAINT alert_fanouts_part_key UNIQUE (community_id, alert_id, version, part);
ALTER TABLE alert_fanouts ADD CONSTRAINT alert_fanouts_part_check CHECK (part >= 0 AND part < parts);
