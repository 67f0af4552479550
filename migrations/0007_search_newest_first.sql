-- Shipped migration: never edit; add a new numbered file instead.

-- Search while typing at 100,000 incidents (issue 12.8); measured in
-- docs/benchmarks.md, explained in docs/design/search.md.
--
-- Newest first without walking the index backwards. Search lists hits
-- newest first and stops at its limit. With rowid = records.seq that was
-- FTS5's descending order, and FTS5 reads a prefix (the word still being
-- typed) into one list in memory, which it walks backwards by first
-- noting every entry's offset in an array grown eight entries at a time.
-- SQLCipher's memory wiping makes every growth a new block, a copy and a
-- wiped free: quadratic, 3.9 s for a word in every one of 100,000
-- incidents. Now rowid = -records.seq: newest first is FTS5's ascending
-- order, which reads that list forwards and stops at the limit.
--
-- Two-letter prefixes indexed (prefix = '2'). The search box searches
-- from the second letter typed, and two letters begin many words ("Ma":
-- Major, Məmmədov, Mamedov…), whose lists FTS5 would otherwise merge on
-- every such keystroke; with this option it keeps one list per two-letter
-- prefix and reads it like a word's. It adds a fifth to the index.
--
-- The rows are copied, not recomputed: the title, body and match keys
-- are what a save of this version writes. They go in ascending new rowid
-- (FTS5 writes out its pending terms whenever a rowid goes down).
CREATE VIRTUAL TABLE search_fts_new USING fts5(
    title UNINDEXED, body UNINDEXED, terms,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2'
);
INSERT INTO search_fts_new (rowid, title, body, terms)
SELECT -rowid, title, body, terms FROM search_fts ORDER BY rowid DESC;
DROP TABLE search_fts;
ALTER TABLE search_fts_new RENAME TO search_fts;
INSERT INTO search_fts (search_fts) VALUES ('optimize');
