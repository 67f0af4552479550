-- Shipped migration: never edit; add a new numbered file instead.

-- The signers an organisation trusts: lawyers' minisign public keys, each
-- added with `vekil signer trust` after its fingerprint was compared out
-- of band. A bundle is verified and imported only if one of these keys
-- signed it. `key_id` is kept for display: it is chosen by whoever makes
-- the key, so it is never matched on its own.
CREATE TABLE signers (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    public_key  TEXT NOT NULL UNIQUE,
    key_id      TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;
CREATE INDEX signers_key_id ON signers (key_id);

-- Where each record came from: 'local' (made in this vault),
-- 'signer:<public key line>' (imported from bundles that key signed), or
-- 'unknown' (imported before this migration). A bundle may replace, and
-- link to, only records of its own signer.
ALTER TABLE records ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';

-- Before this migration the first key seen for a source vault was
-- remembered in `meta` as 'trusted_signer:<vault id>' (trust on first
-- use), and records did not say which bundle they came from. In a vault
-- that imported anything, no existing record can be told apart, so all
-- become 'unknown': no bundle may replace them until the organisation
-- says whose they are (`vekil import --adopt-unknown`). The pins were
-- never compared out of band, so they are dropped, not carried over.
UPDATE records SET origin = 'unknown'
 WHERE EXISTS (SELECT 1 FROM meta WHERE key LIKE 'trusted\_signer:%' ESCAPE '\');
DELETE FROM meta WHERE key LIKE 'trusted\_signer:%' ESCAPE '\';
