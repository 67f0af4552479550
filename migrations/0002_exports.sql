-- Shipped migration: never edit; add a new numbered file instead.

-- The recipient address book: organisations a lawyer sends bundles to.
-- The export signing key lives in `meta` (key 'signing_secret_key'),
-- created on first use, so it needs no table of its own.
CREATE TABLE recipients (
    name            TEXT PRIMARY KEY COLLATE NOCASE,
    age_public_key  TEXT NOT NULL UNIQUE,
    added_at        TEXT NOT NULL
) STRICT;
