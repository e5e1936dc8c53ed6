-- Where a session was opened from, so an agent can tell their sessions
-- apart on their account page and end the ones they do not recognise.
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
