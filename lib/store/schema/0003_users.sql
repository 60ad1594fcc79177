-- 0003_users: human users, their memberships and passphrase history, sessions, throttles.
-- Passphrases are stored only as Argon2id strings; session tokens only as keyed digests.

CREATE TABLE users (
    sid               TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    email_key         TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    passphrase_hash   TEXT NOT NULL,
    passphrase_set_ms BIGINT NOT NULL,
    must_change       INTEGER NOT NULL DEFAULT 0,
    created_ms        BIGINT NOT NULL,
    updated_ms        BIGINT NOT NULL
);

CREATE TABLE passphrase_history (
    user_sid        TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    set_ms          BIGINT NOT NULL,
    passphrase_hash TEXT NOT NULL,
    PRIMARY KEY (user_sid, set_ms)
);

CREATE TABLE memberships (
    user_sid    TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL REFERENCES accounts (sid) ON DELETE CASCADE,
    role        TEXT NOT NULL
        CHECK (role IN ('owner', 'administrator', 'developer', 'billing_manager', 'support')),
    created_ms  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL,
    PRIMARY KEY (user_sid, account_sid)
);
CREATE INDEX memberships_by_account ON memberships (account_sid, user_sid);

CREATE TABLE sessions (
    sid             TEXT PRIMARY KEY,
    user_sid        TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    key_id          BIGINT NOT NULL,
    token_digest    BYTEA NOT NULL,
    created_ms      BIGINT NOT NULL,
    last_seen_ms    BIGINT NOT NULL,
    expires_ms      BIGINT NOT NULL,
    idle_expires_ms BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_sid, created_ms, sid);

CREATE TABLE throttles (
    name            TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    window_start_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL
);
