-- 0005_mfa: second factors (TOTP; the secret sealed like every other secret, the last accepted
-- step kept for the replay guard) and recovery codes (kept only as keyed digests).

CREATE TABLE factors (
    sid          TEXT PRIMARY KEY,
    user_sid     TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('unverified', 'verified')),
    algorithm    TEXT NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
    digits       BIGINT NOT NULL,
    period       BIGINT NOT NULL,
    last_step    BIGINT NOT NULL,
    key_id       BIGINT NOT NULL,
    ciphertext   BYTEA NOT NULL,
    lookup_hash  BYTEA NOT NULL,
    created_ms   BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL
);
CREATE INDEX factors_by_user ON factors (user_sid, created_ms, sid);

CREATE TABLE recovery_codes (
    user_sid   TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    digest     BYTEA NOT NULL,
    used_ms    BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (user_sid, digest)
);
