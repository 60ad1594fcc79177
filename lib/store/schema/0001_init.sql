-- 0001_init: accounts, auth tokens, API keys, the audit log and instance metadata.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL (see README.md in this folder).

CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    sid           TEXT PRIMARY KEY,
    parent_sid    TEXT REFERENCES accounts (sid),
    friendly_name TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    mfa_required  INTEGER NOT NULL DEFAULT 0,
    created_ms    BIGINT NOT NULL,
    updated_ms    BIGINT NOT NULL
);
CREATE INDEX accounts_by_parent ON accounts (parent_sid, created_ms, sid);
CREATE INDEX accounts_by_created ON accounts (created_ms, sid);

CREATE TABLE auth_tokens (
    account_sid TEXT NOT NULL REFERENCES accounts (sid) ON DELETE CASCADE,
    slot        TEXT NOT NULL CHECK (slot IN ('primary', 'secondary')),
    key_id      BIGINT NOT NULL,
    ciphertext  BYTEA NOT NULL,
    lookup_hash BYTEA NOT NULL,
    created_ms  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL,
    PRIMARY KEY (account_sid, slot)
);

CREATE TABLE api_keys (
    sid             TEXT PRIMARY KEY,
    account_sid     TEXT NOT NULL REFERENCES accounts (sid) ON DELETE CASCADE,
    type            TEXT NOT NULL CHECK (type IN ('main', 'standard', 'restricted', 'signing')),
    permissions     TEXT,
    friendly_name   TEXT NOT NULL,
    key_id          BIGINT NOT NULL,
    ciphertext      BYTEA NOT NULL,
    lookup_hash     BYTEA NOT NULL,
    last_used_ms    BIGINT,
    last_user_agent TEXT,
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX api_keys_by_account ON api_keys (account_sid, created_ms, sid);

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    time_ms     BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    remote_addr TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    detail      TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL
);
