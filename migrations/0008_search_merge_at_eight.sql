-- Shipped migration: never edit; add a new numbered file instead.

-- A save's slowest moments (issue 11.9; docs/benchmarks.md section 1b,
-- run 4). FTS5 writes each save's index row as a new small segment and,
-- with its default `automerge` of 4, merges segments inside the commit
-- that brings a level to four: at 100,000 incidents one save in fifty
-- or so then took 45-67 ms instead of ~1.5 ms (p99 of 1,000 saves; the
-- same saves without the index row: 12 ms). Merging at eight segments
-- per level does the same work in fewer, smaller steps: p99 9.2 ms and a
-- lower median in the same run. A search reads at most seven small
-- segments per level more, which the search figures of that run include.
-- The setting is stored in the index's own configuration table, so it
-- holds for every connection and survives a backup and restore.
INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 8);
