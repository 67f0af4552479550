-- Shipped migration: never edit; add a new numbered file instead.

-- The revision chain becomes keyed: HMAC-SHA256 under a key derived from
-- the database key. SQL cannot compute that MAC, so this marks every chain
-- written so far as the first release's plain SHA-256 scheme; the vault
-- checks such a chain and re-chains it with the key the first time it is
-- unlocked (store::revisions::upgrade_chain). A chain that already fails
-- is never re-chained.
INSERT INTO meta (key, value) VALUES ('chain_scheme', 'sha256-v1')
    ON CONFLICT (key) DO NOTHING;

-- The change counter: one per revision, with the time and the computer of
-- the last one. Existing vaults start at the length of their history; the
-- computer of their last change is not known.
INSERT INTO meta (key, value)
    SELECT 'last_change', json_object(
        'counter', count(*),
        'at', (SELECT at FROM revisions ORDER BY seq DESC LIMIT 1),
        'device', NULL)
    FROM revisions
    WHERE true -- SQLite needs a WHERE before an upsert after a SELECT
    ON CONFLICT (key) DO NOTHING;
