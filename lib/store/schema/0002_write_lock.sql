-- 0002_write_lock: one row every write transaction updates first, so writers on a shared
-- database (PostgreSQL, several servers) run one at a time, as SQLite's writers do.  Its
-- revision counts committed write transactions.

CREATE TABLE write_lock (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO write_lock (id, revision) VALUES (1, 0);
