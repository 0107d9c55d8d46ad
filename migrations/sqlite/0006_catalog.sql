-- Catalogue: products per manufacturer, full-text search (FTS5, BM25), materials and colours for
-- filters and facets, Idempotency-Key answers of bulk uploads.
-- Storage keys partition by tenant: seq = tenant number << 40 | running number (catalog/store.hpp),
-- so a manufacturer's products are one contiguous rowid range here, in the FTS index and in the
-- material/colour tables.
CREATE TABLE catalog_tenants (
  manufacturer_id TEXT PRIMARY KEY REFERENCES manufacturers (id) ON DELETE CASCADE,
  number INTEGER NOT NULL UNIQUE,
  next_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE products (
  seq INTEGER PRIMARY KEY,
  manufacturer_id TEXT NOT NULL REFERENCES manufacturers (id) ON DELETE CASCADE,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  brand TEXT NOT NULL,
  category TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  price BIGINT NOT NULL,
  currency TEXT NOT NULL,
  price_scaled BIGINT NOT NULL,
  lens_width INTEGER,
  lens_height INTEGER,
  bridge_width INTEGER,
  temple_length INTEGER,
  frame_width INTEGER,
  frame_height INTEGER,
  materials TEXT NOT NULL DEFAULT '[]',
  colors TEXT NOT NULL DEFAULT '[]',
  images TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX products_sku ON products (manufacturer_id, sku);
CREATE INDEX products_category ON products (category, seq);
CREATE INDEX products_brand ON products (brand, seq);

CREATE TABLE product_materials (
  material TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (material, seq)
) WITHOUT ROWID;
CREATE TABLE product_colors (
  color TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (color, seq)
) WITHOUT ROWID;

-- Name, brand, category and description; case and diacritics folded (Café = cafe).
CREATE VIRTUAL TABLE products_fts USING fts5(
  name, brand, category, description,
  content = 'products', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);

-- products_fts holds tenant-namespaced words (`t<N>x<word>`, see src/stores/catalog_fts.hpp), so
-- the store writes it itself, never a trigger; it writes it after the batch's product rows
-- because FTS5 flushes its pending terms to a new segment whenever a statement opens a savepoint.
-- product_materials and product_colors are written by the store for new products (cheaper than
-- json_each in a trigger) and kept in step by the triggers below on update and delete (deletes
-- also come from ON DELETE CASCADE; the FTS entries of cascaded rows stay behind, unreachable:
-- every search joins products).

CREATE TRIGGER products_after_delete AFTER DELETE ON products BEGIN
  DELETE FROM product_materials WHERE seq = old.seq AND material IN (SELECT value FROM json_each(old.materials));
  DELETE FROM product_colors WHERE seq = old.seq AND color IN (SELECT value FROM json_each(old.colors));
END;

CREATE TRIGGER products_after_update_lists AFTER UPDATE OF materials, colors ON products BEGIN
  DELETE FROM product_materials WHERE seq = old.seq AND material IN (SELECT value FROM json_each(old.materials));
  DELETE FROM product_colors WHERE seq = old.seq AND color IN (SELECT value FROM json_each(old.colors));
  INSERT INTO product_materials (material, seq) SELECT value, new.seq FROM json_each(new.materials);
  INSERT INTO product_colors (color, seq) SELECT value, new.seq FROM json_each(new.colors);
END;

CREATE TABLE catalog_idempotency (
  manufacturer_id TEXT NOT NULL REFERENCES manufacturers (id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (manufacturer_id, idempotency_key)
);
CREATE INDEX catalog_idempotency_age ON catalog_idempotency (manufacturer_id, created_at);
