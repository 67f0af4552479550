-- Shipped migration: never edit; add a new numbered file instead.

-- The facility register (issue 11): places are records of kind
-- 'facility', and incidents link to them. This table finds an entry by
-- any of its spellings, by match key (store::facilities::name_key): one row per
-- spelling, kept by the store whenever an entry is saved or deleted.
CREATE TABLE facility_names (
    name_key     TEXT NOT NULL,
    facility_id  TEXT NOT NULL,
    PRIMARY KEY (name_key, facility_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX facility_names_facility ON facility_names (facility_id);

-- An incident's `facility` column now holds its entry's id, or '=' and its
-- name's match key, instead of the name as typed. SQL can neither key names
-- nor write revisions (their MAC needs the vault key), so a vault that
-- has incidents is marked here and its register is built at the first
-- unlock by this version (store::facilities::build_register): names
-- grouped after normalisation, one entry per place, every incident made
-- in this vault linked with a revision.
INSERT INTO meta (key, value)
    SELECT 'facility_register', 'pending'
    WHERE EXISTS (SELECT 1 FROM records WHERE kind = 'incident')
    ON CONFLICT (key) DO NOTHING;
