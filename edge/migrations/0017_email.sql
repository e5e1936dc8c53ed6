-- E-mail as a channel (desk::mail). A ticket opened by mail keeps the
-- support address the customer wrote to; replies go out from it.
ALTER TABLE tickets ADD COLUMN mail_address TEXT;
-- The Message-ID of the mail that brought a customer's message, or of the
-- mail that carried a reply; an answer finds its ticket by it.
ALTER TABLE messages ADD COLUMN mail_id TEXT;
CREATE INDEX messages_mail_id ON messages(mail_id) WHERE mail_id IS NOT NULL;
-- A reply mailed to the customer: 'pending' until sent, then 'sent', or
-- 'failed' with the error; tried again by the cron at delivery_next_at
-- until delivery_attempts reaches the limit. NULL: not mailed.
ALTER TABLE messages ADD COLUMN delivery TEXT;
ALTER TABLE messages ADD COLUMN delivery_error TEXT;
ALTER TABLE messages ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN delivery_next_at INTEGER;
CREATE INDEX messages_delivery ON messages(delivery_next_at) WHERE delivery IN ('pending', 'failed');
