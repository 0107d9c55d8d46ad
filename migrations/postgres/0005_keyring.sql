-- Keyring (envelope encryption with key rotation) and the manufacturer business profile.
-- Keys are stored wrapped only: keyring versions under the master key (which never enters the
-- database), data keys under a version. Times are Unix milliseconds.
CREATE TABLE keyring_versions (
  version INTEGER PRIMARY KEY,
  wrapped_key TEXT NOT NULL,
  master_fingerprint TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- The one row every node polls: which version seals new data, which is the oldest that opens.
CREATE TABLE keyring_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  primary_version INTEGER NOT NULL REFERENCES keyring_versions (version),
  min_decryption_version INTEGER NOT NULL,
  epoch BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Per-tenant data keys; tenant_id is a manufacturer id or 'platform' (records of accounts).
CREATE TABLE data_keys (
  kid TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  key_version INTEGER NOT NULL REFERENCES keyring_versions (version),
  algorithm TEXT NOT NULL CHECK (algorithm IN ('xchacha20poly1305', 'aes256gcm')),
  wrapped_key TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'retired')),
  created_at BIGINT NOT NULL,
  retired_at BIGINT
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys (tenant_id) WHERE state = 'active';
CREATE INDEX data_keys_tenant ON data_keys (tenant_id, created_at);

-- Where `eyewear keys rewrap` stands in each sealed column, so an interrupted run resumes.
CREATE TABLE keyring_rewrap_progress (
  column_name TEXT PRIMARY KEY,
  epoch BIGINT NOT NULL,
  last_row TEXT NOT NULL,
  rewrapped BIGINT NOT NULL,
  completed_at BIGINT,
  updated_at BIGINT NOT NULL
);

-- The business profile; company_name lives in manufacturers. Secret fields are sealed values
-- (the CHECKs refuse anything that is not one, so plaintext cannot be stored by mistake).
CREATE TABLE manufacturer_profiles (
  manufacturer_id TEXT PRIMARY KEY REFERENCES manufacturers (id) ON DELETE CASCADE,
  website TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  product_count BIGINT CHECK (product_count IS NULL OR (product_count >= 0 AND product_count <= 1000000)),
  phone_sealed TEXT CHECK (phone_sealed IS NULL OR phone_sealed LIKE 'ew%:v%'),
  tax_id_sealed TEXT CHECK (tax_id_sealed IS NULL OR tax_id_sealed LIKE 'ew%:v%'),
  licence_number_sealed TEXT CHECK (licence_number_sealed IS NULL OR licence_number_sealed LIKE 'ew%:v%'),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
