-- Platform: facts about this installation.
CREATE TABLE installation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  installation_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
