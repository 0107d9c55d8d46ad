-- FTS5 keeps the terms of a write transaction in memory and writes them out as a new segment of
-- the index whenever they pass `hashsize` bytes (1 MiB by default), and again at COMMIT. The
-- terms of a 10,000-row bulk request pass 1 MiB, so one request wrote two segments or more,
-- which FTS5's automerge then merged again inside later writers' turns. 16 MiB keeps a request's
-- terms in one segment: the writer's turn ran 7.8% fewer instructions over 30,000 products
-- (docs/BENCHMARKS.md, "Upload path, stop 17"). Only the connection writing holds the memory, and
-- only until its COMMIT. The setting is stored in products_fts_config, so it travels with the file.
INSERT INTO products_fts (products_fts, rank) VALUES ('hashsize', 16777216);
