-- 0004_tokens: revoked access tokens (kept until they would have expired anyway) and token
-- settings (a key's allowed signing algorithms, an account's cap on token lifetimes).

CREATE TABLE revoked_tokens (
    jti         TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL,
    expires_ms  BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_ms);

CREATE TABLE token_settings (
    sid   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
