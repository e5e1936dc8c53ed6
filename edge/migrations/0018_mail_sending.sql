-- A reply being mailed is claimed as 'sending' until the attempt ends
-- (desk::mail::deliver_due), so two runs never send it both; a claim whose
-- worker stopped lapses at delivery_next_at and is taken up again. The
-- delivery index covers those claims too.
DROP INDEX messages_delivery;
CREATE INDEX messages_delivery ON messages(delivery_next_at) WHERE delivery IN ('pending', 'failed', 'sending');
