-- Threat history: one row per finding of the request threat screen. Never the payload: the field
-- path, the detector's evidence (a fingerprint or rule name) and at most a short keyed hash.
CREATE TABLE security_threats (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  manufacturer_id TEXT,
  account_id TEXT,
  api_key_id TEXT,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  route TEXT NOT NULL,
  threat_type TEXT NOT NULL,
  severity TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  field TEXT NOT NULL,
  detector TEXT NOT NULL,
  evidence TEXT NOT NULL DEFAULT '',
  value_hash TEXT NOT NULL DEFAULT '',
  blocked INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX security_threats_manufacturer ON security_threats (manufacturer_id, created_at);
CREATE INDEX security_threats_created ON security_threats (created_at);
CREATE INDEX security_threats_type ON security_threats (threat_type, created_at);
