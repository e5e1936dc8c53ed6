-- When an agent was invited to choose their password (added without one);
-- NULL once they chose it, or for agents given a password.
ALTER TABLE agents ADD COLUMN invited_at INTEGER;
