-- Schema version 3: the first one to three letters of every word of each
-- resident's normalized full name, in name order, for search as you type.
--
-- A one-word search ("и", "ив", "иван") used to count its matches in the
-- FTS index and either sort them all by name (up to 3000 lookups) or walk
-- the names in order checking every row: 5 ms for a typical keystroke on a
-- center of 100 000 residents and 10 ms at the 95th percentile, against a
-- budget of 5 ms.  Here such a search reads its page straight from an
-- index range already in name order (stp-query.c).  Local saves and synced
-- changes both reach it through resident_summaries.full_key and .deleted;
-- only residents without a tombstone have rows, so a search needs nothing
-- else to check a name: each row holds the full key it belongs to.
-- stp_name_prefixes(full_key) is a JSON array of those prefixes (stp-store.c).

CREATE TABLE resident_prefixes (
  prefix TEXT NOT NULL,
  full_key TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (prefix, full_key, rid)
) WITHOUT ROWID;

CREATE TRIGGER resident_prefixes_update AFTER UPDATE OF full_key, deleted ON resident_summaries
WHEN OLD.full_key IS NOT NEW.full_key OR (OLD.deleted = 0) IS NOT (NEW.deleted = 0)
BEGIN
  DELETE FROM resident_prefixes
  WHERE full_key = OLD.full_key AND rid = OLD.rid
    AND prefix IN (SELECT value FROM json_each (stp_name_prefixes (OLD.full_key)));
  INSERT OR IGNORE INTO resident_prefixes (prefix, full_key, rid)
  SELECT value, NEW.full_key, NEW.rid FROM json_each (stp_name_prefixes (NEW.full_key))
  WHERE NEW.deleted = 0;
END;

CREATE TRIGGER resident_prefixes_delete AFTER DELETE ON resident_summaries
BEGIN
  DELETE FROM resident_prefixes
  WHERE full_key = OLD.full_key AND rid = OLD.rid
    AND prefix IN (SELECT value FROM json_each (stp_name_prefixes (OLD.full_key)));
END;

INSERT OR IGNORE INTO resident_prefixes (prefix, full_key, rid)
SELECT p.value, s.full_key, s.rid
FROM resident_summaries s, json_each (stp_name_prefixes (s.full_key)) p
WHERE s.deleted = 0;
