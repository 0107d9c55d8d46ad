-- A search reads the matching products of a tenant for its total, facets and sort keys; without
-- text that is every product in the tenant's key range. This index holds exactly the columns
-- that pass reads, so the range is walked over small index entries instead of whole product rows
-- (docs/CATALOG.md, "Search"; measured in docs/BENCHMARKS.md). PostgreSQL needs no counterpart:
-- it counts facets with one aggregate query over its own indexes.
CREATE INDEX products_facets ON products (seq, category, brand, currency, price_scaled, created_at, is_active, materials);
