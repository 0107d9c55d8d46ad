-- Catalogue: products per manufacturer, full-text search (tsvector + GIN, ts_rank), materials and
-- colours as JSONB arrays with GIN indexes, Idempotency-Key answers of bulk uploads.
-- unaccent folds diacritics (Café = cafe) inside a text search configuration; it ships with
-- PostgreSQL (a trusted extension since 13: a database owner may create it). The indexed words
-- are tenant-namespaced (`t<N>x<word>`, see src/stores/catalog_fts.hpp), which the parser reads
-- as words with digits (numword), hence those token types in the mapping too.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION eyewear_text (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION eyewear_text
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword,
    hword_numpart WITH unaccent, simple;

CREATE TABLE catalog_tenants (
  manufacturer_id TEXT PRIMARY KEY REFERENCES manufacturers (id) ON DELETE CASCADE,
  number BIGINT NOT NULL UNIQUE,
  next_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE products (
  seq BIGINT PRIMARY KEY,
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
  materials JSONB NOT NULL DEFAULT '[]',
  colors JSONB NOT NULL DEFAULT '[]',
  images TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  -- Written by the store from the namespaced words: name A, brand B, category C, description D.
  search TSVECTOR NOT NULL
);
CREATE UNIQUE INDEX products_sku ON products (manufacturer_id, sku);
CREATE INDEX products_search ON products USING gin (search);
CREATE INDEX products_materials ON products USING gin (materials jsonb_path_ops);
CREATE INDEX products_colors ON products USING gin (colors jsonb_path_ops);
CREATE INDEX products_category ON products (manufacturer_id, category);
CREATE INDEX products_brand ON products (manufacturer_id, brand);
CREATE INDEX products_created ON products (manufacturer_id, created_at, seq);
CREATE INDEX products_price ON products (manufacturer_id, price_scaled, seq);

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
