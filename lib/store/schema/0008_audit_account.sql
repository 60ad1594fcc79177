-- 0008_audit_account: the account an audit event concerns ('' when none, as for every event
-- written before this migration), so an account's trail can be read newest first by itself.

ALTER TABLE audit_events ADD COLUMN account_sid TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_events_by_account ON audit_events (account_sid, seq);
