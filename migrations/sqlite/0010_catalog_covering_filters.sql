-- The category and brand filters read every column the search pass needs from their index
-- (covering), not from whole product rows: the pass over a category of a tenant walks small
-- index entries instead of one product-row lookup per match (docs/CATALOG.md, "Search").
DROP INDEX products_category;
CREATE INDEX products_category ON products (category, seq, brand, currency, price_scaled, created_at, is_active,
                                            materials);
DROP INDEX products_brand;
CREATE INDEX products_brand ON products (brand, seq, category, currency, price_scaled, created_at, is_active,
                                         materials);
