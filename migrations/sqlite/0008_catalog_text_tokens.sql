-- Each product's length in full-text tokens (all four indexed columns together), as FTS5 records
-- it in products_fts_docsize. Ranking reads it from the facets index the search already walks
-- (eyewear_bm25, src/storage/sqlite_fts.hpp) instead of one %_docsize lookup per matching row.
-- Rows written before this migration keep NULL and are ranked with that lookup: the same score.
ALTER TABLE products ADD COLUMN text_tokens INTEGER;
DROP INDEX products_facets;
CREATE INDEX products_facets ON products (seq, category, brand, currency, price_scaled, created_at, is_active, materials,
                                          text_tokens);
