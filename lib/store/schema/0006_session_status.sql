-- 0006_session_status: a login session is active, waiting for its second factor (pending_mfa),
-- or allowed only to enrol one (enrol_only, where the account requires MFA).

ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'pending_mfa', 'enrol_only'));
