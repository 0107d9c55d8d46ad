-- The listing's two indexes (migration 0009) lead with the tenant's number, the high bits of
-- seq (seq >> 40, catalog::kTenantShift in src/catalog/store.hpp), instead of the 36-byte
-- manufacturer id: entries a third smaller, and every insert compares a small integer where it
-- compared the id (measured in docs/BENCHMARKS.md, "Upload path, stop 15"). The listing's query
-- names the same expression (src/stores/catalog_search.cpp, browse_sqlite).
DROP INDEX products_created_order;
DROP INDEX products_price_order;
CREATE INDEX products_created_order ON products (seq >> 40, is_active, created_at, seq);
CREATE INDEX products_price_order ON products (seq >> 40, is_active, price_scaled, seq);
