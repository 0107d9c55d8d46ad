-- The material and colour filters read an FTS5 index of their own instead of the (value, seq)
-- tables product_materials and product_colors: a product's materials and colours are tokens
-- `t<N>m<hex>` and `t<N>c<hex>` (the tenant's number N, the lowercase hex of the value's UTF-8
-- bytes; src/stores/catalog_fts.hpp, list_tokens), so a filter is a MATCH on one token in the
-- tenant's own namespace. Why: every list entry was a b-tree insert, about 4,700 instructions
-- each and 13% of a bulk request's write transaction; FTS5 gathers a request's tokens in memory
-- and writes them as one segment at commit (docs/BENCHMARKS.md, "Upload path, stop 18").
-- Contentless (content=''), rowids only (detail=none), no per-row sizes (columnsize=0): the index
-- answers "which products have this value" and nothing else. The store writes the tokens of new
-- and replaced products itself, after their rows (FTS5 writes its pending tokens out whenever a
-- statement opens a savepoint); the trigger below removes those of deleted products, including
-- the deletes of ON DELETE CASCADE. A contentless 'delete' must repeat the tokens indexed: the
-- trigger spells list_tokens in SQL.
CREATE VIRTUAL TABLE products_lists USING fts5(
  tokens,
  content = '', columnsize = 0, detail = none,
  tokenize = 'ascii'
);
INSERT INTO products_lists (products_lists, rank) VALUES ('hashsize', 16777216);

INSERT INTO products_lists (rowid, tokens)
SELECT p.seq, (SELECT group_concat(t, ' ') FROM (
                 SELECT 't' || (p.seq >> 40) || 'm' || lower(hex(m.value)) AS t FROM json_each(p.materials) m
                 UNION ALL
                 SELECT 't' || (p.seq >> 40) || 'c' || lower(hex(c.value)) FROM json_each(p.colors) c))
FROM products p;

DROP TRIGGER products_after_delete;
DROP TRIGGER products_after_update_lists;
DROP TABLE product_materials;
DROP TABLE product_colors;

CREATE TRIGGER products_lists_after_delete AFTER DELETE ON products BEGIN
  INSERT INTO products_lists (products_lists, rowid, tokens)
  VALUES ('delete', old.seq, (SELECT group_concat(t, ' ') FROM (
            SELECT 't' || (old.seq >> 40) || 'm' || lower(hex(m.value)) AS t FROM json_each(old.materials) m
            UNION ALL
            SELECT 't' || (old.seq >> 40) || 'c' || lower(hex(c.value)) FROM json_each(old.colors) c)));
END;
