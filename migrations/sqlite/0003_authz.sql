-- Authorization: monthly usage per resource, the usage trail, refused features, API keys.
CREATE TABLE usage_counters (
  manufacturer_id TEXT NOT NULL REFERENCES manufacturers (id) ON DELETE CASCADE,
  resource TEXT NOT NULL,
  period TEXT NOT NULL,
  used BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (manufacturer_id, resource, period)
);

CREATE TABLE usage_events (
  id INTEGER PRIMARY KEY,
  manufacturer_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  amount BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  day TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX usage_events_series ON usage_events (manufacturer_id, resource, day);

CREATE TABLE feature_denials (
  id INTEGER PRIMARY KEY,
  manufacturer_id TEXT NOT NULL,
  permission TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX feature_denials_recent ON feature_denials (manufacturer_id, created_at);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  manufacturer_id TEXT NOT NULL REFERENCES manufacturers (id) ON DELETE CASCADE,
  created_by TEXT NOT NULL,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  first_used_at BIGINT,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_manufacturer ON api_keys (manufacturer_id);

CREATE INDEX manufacturers_updated ON manufacturers (updated_at);
