-- A customer an agent marked as a sender of spam: their new tickets are
-- kept, closed and tagged spam, out of the queue, until an agent unblocks
-- them (desk::spam).
ALTER TABLE customers ADD COLUMN blocked_at INTEGER;
