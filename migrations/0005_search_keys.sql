-- Shipped migration: never edit; add a new numbered file instead.

-- Search in the lawyer's languages (issue 12): the index no longer
-- tokenises the stored text itself but its match keys (folded words, sound
-- keys shared by Azerbaijani, Russian and English spellings, and concepts
-- such as court = məhkəmə = суд), kept in `terms`. The title (typed parts,
-- as JSON) and the free text are stored beside it for display, unindexed.
-- Design: docs/design/search.md.
DROP TABLE search_fts;

-- Full-text index; rowid = records.seq.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title UNINDEXED, body UNINDEXED, terms,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Rebuilt from every record by vekil_search_entry(kind, data), which Vekil
-- registers before migrating (src/search/index.rs): the same code a save
-- runs, so an upgraded vault holds exactly what a new one would. A record
-- whose data cannot be read gets no entry (verify-vault reports it).
WITH entries AS MATERIALIZED (
    SELECT seq, vekil_search_entry(kind, data) AS e FROM records
)
INSERT INTO search_fts (rowid, title, body, terms)
SELECT seq, e ->> '$[0]', e ->> '$[1]', e ->> '$[2]' FROM entries WHERE e IS NOT NULL;

INSERT INTO search_fts (search_fts) VALUES ('optimize');
