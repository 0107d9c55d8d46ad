-- Browsing a catalogue (no text, no filter but the active state, sorted by creation time or
-- price: the default listing and its deep pages) without walking every product of the tenant:
-- facet counts are kept per manufacturer and active state, and the page comes from an index in
-- the sort order (docs/CATALOG.md, "Search"). Every other search keeps the one-pass plan.

-- Products per facet value: facet 0 is the category, 1 the brand, 2 a material (a product with
-- a material twice counts twice, as the pass counts). The total of a state is the sum of its
-- category counts. New products are counted by the store, one statement per distinct value of a
-- batch (cheaper than a trigger per row); the triggers below keep the counts in step on update
-- and delete, including the deletes of ON DELETE CASCADE. Rows reaching zero are kept.
CREATE TABLE catalog_facet_counts (
  manufacturer_id TEXT NOT NULL REFERENCES manufacturers (id) ON DELETE CASCADE,
  is_active INTEGER NOT NULL,
  facet INTEGER NOT NULL,
  value TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (manufacturer_id, is_active, facet, value)
) WITHOUT ROWID;

INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n)
SELECT manufacturer_id, is_active, 0, category, COUNT(*) FROM products GROUP BY manufacturer_id, is_active, category;
INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n)
SELECT manufacturer_id, is_active, 1, brand, COUNT(*) FROM products GROUP BY manufacturer_id, is_active, brand;
INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n)
SELECT p.manufacturer_id, p.is_active, 2, m.value, COUNT(*) FROM products p, json_each(p.materials) m
GROUP BY p.manufacturer_id, p.is_active, m.value;

CREATE TRIGGER products_facet_counts_delete AFTER DELETE ON products BEGIN
  UPDATE catalog_facet_counts SET n = n - 1
  WHERE manufacturer_id = old.manufacturer_id AND is_active = old.is_active AND facet = 0 AND value = old.category;
  UPDATE catalog_facet_counts SET n = n - 1
  WHERE manufacturer_id = old.manufacturer_id AND is_active = old.is_active AND facet = 1 AND value = old.brand;
  UPDATE catalog_facet_counts SET n = n - (SELECT COUNT(*) FROM json_each(old.materials) m WHERE m.value = catalog_facet_counts.value)
  WHERE manufacturer_id = old.manufacturer_id AND is_active = old.is_active AND facet = 2
    AND value IN (SELECT value FROM json_each(old.materials));
END;

CREATE TRIGGER products_facet_counts_update AFTER UPDATE OF category, brand, materials, is_active ON products BEGIN
  UPDATE catalog_facet_counts SET n = n - 1
  WHERE manufacturer_id = old.manufacturer_id AND is_active = old.is_active AND facet = 0 AND value = old.category;
  UPDATE catalog_facet_counts SET n = n - 1
  WHERE manufacturer_id = old.manufacturer_id AND is_active = old.is_active AND facet = 1 AND value = old.brand;
  UPDATE catalog_facet_counts SET n = n - (SELECT COUNT(*) FROM json_each(old.materials) m WHERE m.value = catalog_facet_counts.value)
  WHERE manufacturer_id = old.manufacturer_id AND is_active = old.is_active AND facet = 2
    AND value IN (SELECT value FROM json_each(old.materials));
  INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n)
  VALUES (new.manufacturer_id, new.is_active, 0, new.category, 1)
  ON CONFLICT (manufacturer_id, is_active, facet, value) DO UPDATE SET n = n + 1;
  INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n)
  VALUES (new.manufacturer_id, new.is_active, 1, new.brand, 1)
  ON CONFLICT (manufacturer_id, is_active, facet, value) DO UPDATE SET n = n + 1;
  INSERT INTO catalog_facet_counts (manufacturer_id, is_active, facet, value, n)
  SELECT new.manufacturer_id, new.is_active, 2, value, 1 FROM json_each(new.materials) WHERE true
  ON CONFLICT (manufacturer_id, is_active, facet, value) DO UPDATE SET n = n + 1;
END;

-- The listing in its two indexed orders (descending walks them backwards).
CREATE INDEX products_created_order ON products (manufacturer_id, is_active, created_at, seq);
CREATE INDEX products_price_order ON products (manufacturer_id, is_active, price_scaled, seq);
