-- Schema version 6: the center's directory of agencies (УСЗН, центр
-- занятости, КДН…), one name a line, a synced field of the center record.
-- Consents name their recipient and referrals their agency by picking from
-- it, so that a consent to an agency covers the referrals to that agency
-- by the same name, not by two spellings compared after normalization.

ALTER TABLE centers ADD COLUMN agencies TEXT;
