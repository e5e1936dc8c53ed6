-- An agent who is away (off shift, on leave) gets no new tickets.
ALTER TABLE agents ADD COLUMN away INTEGER NOT NULL DEFAULT 0;
