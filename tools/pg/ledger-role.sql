-- What the ledger's own role needs on a database an administrator migrated (the first start, run as an
-- administrator, creates the tables). Nothing here allows changing or removing an event: the role cannot UPDATE,
-- DELETE or TRUNCATE `event`, nor create or alter anything, so it cannot disable the append-only triggers either.
-- Run with: psql "$ADMIN_URL" -v role=leadledger -f tools/pg/ledger-role.sql
GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT, INSERT ON event, ledger_migration, ledger_secret TO :"role";
-- Every write locks and moves the chain's end, one row.
GRANT SELECT, UPDATE ON chain_head TO :"role";
-- Erasure destroys one lead's key row, and only there.
GRANT SELECT, INSERT, DELETE ON lead_key TO :"role";
