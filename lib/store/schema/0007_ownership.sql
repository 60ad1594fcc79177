-- 0007_ownership: a main account's pending ownership transfer, at most one per account: the
-- owner (from_user) offered it, to_user must accept it before expires_ms.  Deleting the account
-- or either user withdraws it.

CREATE TABLE ownership_offers (
    account_sid   TEXT PRIMARY KEY REFERENCES accounts (sid) ON DELETE CASCADE,
    from_user_sid TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    to_user_sid   TEXT NOT NULL REFERENCES users (sid) ON DELETE CASCADE,
    created_ms    BIGINT NOT NULL,
    expires_ms    BIGINT NOT NULL
);
