-- Shipped migration: never edit; add a new numbered file instead.

-- Secrets and settings that live inside the encrypted database
-- (the attachment identity, the export signing key).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Every record of every kind, as validated JSON plus the columns that
-- lists, filters and timelines need indexed.
CREATE TABLE records (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    client_id   TEXT,
    case_id     TEXT,
    at          TEXT,
    facility    TEXT,
    subtype     TEXT,
    status      TEXT,
    data        TEXT NOT NULL,
    UNIQUE (kind, id)
) STRICT;
CREATE INDEX records_kind_at ON records (kind, at);
CREATE INDEX records_client ON records (kind, client_id, at);
CREATE INDEX records_case ON records (kind, case_id, at);
CREATE INDEX records_facility ON records (kind, facility COLLATE NOCASE, at);
CREATE INDEX records_subtype ON records (kind, subtype, at);

-- Full-text index; rowid = records.seq.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Hash-chained history of every create, update and delete.
CREATE TABLE revisions (
    seq              INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    record_id        TEXT NOT NULL,
    record_revision  INTEGER NOT NULL,
    op               TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    at               TEXT NOT NULL,
    device           TEXT NOT NULL,
    changes          TEXT NOT NULL,
    snapshot_sha256  TEXT,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
) STRICT;
CREATE INDEX revisions_record ON revisions (kind, record_id, seq);

-- Unsaved form contents kept across an auto-lock.
CREATE TABLE drafts (
    name        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    saved_at    TEXT NOT NULL
) STRICT;
