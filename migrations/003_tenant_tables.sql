-- One place for what makes a table a community's: row-level security comparing each row's
-- community_id with the transaction's app.community_id, and the application role's grants.
CREATE OR REPLACE FUNCTION citydesk_tenant_table(t regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
  EXECUTE format($p$CREATE POLICY tenant ON %s TO citydesk_app
    USING (community_id = nullif(current_setting('app.community_id', true), '')::uuid)
    WITH CHECK (community_id = nullif(current_setting('app.community_id', true), '')::uuid)$p$, t);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %s TO citydesk_app', t);
END $fn$;
