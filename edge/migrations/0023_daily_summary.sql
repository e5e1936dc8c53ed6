-- The desk's day (days since 1970-01-01 in its clock) of the latest daily
-- summary mailed to each agent who asks for one, so each gets one a day.
ALTER TABLE agents ADD COLUMN summary_day INTEGER;
