-- Schema version 2: what the center report (stp-stats.c) reads besides the
-- indexes of version 1.  Local, never synced.

-- The relatives of each resident that have no tombstone: how many, the
-- total of their codependent field and how many are minors, so that the
-- report reads one row per resident instead of every relative.  Triggers
-- keep the numbers current, so local saves and synced changes (which
-- arrive field by field, rows in any order) maintain them alike; each
-- change takes the old row's share away and adds the new row's.
CREATE TABLE relative_counts (
  resident_id TEXT PRIMARY KEY,
  relatives INTEGER NOT NULL DEFAULT 0,
  codependents REAL NOT NULL DEFAULT 0,
  minors INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO relative_counts (resident_id, relatives, codependents, minors)
SELECT resident_id, count (*), total (codependent), total (coalesce (minor, 0) > 0)
FROM relatives WHERE deleted = 0 AND resident_id IS NOT NULL GROUP BY resident_id;

CREATE TRIGGER relatives_counts_insert AFTER INSERT ON relatives
WHEN NEW.deleted = 0 AND NEW.resident_id IS NOT NULL
BEGIN
  INSERT INTO relative_counts (resident_id, relatives, codependents, minors)
  VALUES (NEW.resident_id, 1, (coalesce (NEW.codependent, 0) + 0.0), coalesce (NEW.minor, 0) > 0)
  ON CONFLICT (resident_id) DO UPDATE SET
    relatives = relatives + 1,
    codependents = codependents + excluded.codependents,
    minors = minors + excluded.minors;
END;

CREATE TRIGGER relatives_counts_update
AFTER UPDATE OF resident_id, deleted, codependent, minor ON relatives
BEGIN
  UPDATE relative_counts SET
    relatives = relatives - 1,
    codependents = codependents - (coalesce (OLD.codependent, 0) + 0.0),
    minors = minors - (coalesce (OLD.minor, 0) > 0)
  WHERE OLD.deleted = 0 AND resident_id = OLD.resident_id;
  INSERT INTO relative_counts (resident_id, relatives, codependents, minors)
  SELECT NEW.resident_id, 1, (coalesce (NEW.codependent, 0) + 0.0), coalesce (NEW.minor, 0) > 0
  WHERE NEW.deleted = 0 AND NEW.resident_id IS NOT NULL
  ON CONFLICT (resident_id) DO UPDATE SET
    relatives = relatives + 1,
    codependents = codependents + excluded.codependents,
    minors = minors + excluded.minors;
END;

CREATE TRIGGER relatives_counts_delete AFTER DELETE ON relatives
BEGIN
  UPDATE relative_counts SET
    relatives = relatives - 1,
    codependents = codependents - (coalesce (OLD.codependent, 0) + 0.0),
    minors = minors - (coalesce (OLD.minor, 0) > 0)
  WHERE OLD.deleted = 0 AND resident_id = OLD.resident_id;
END;

-- Stage entries by end: the entries open at the end of a recent period are
-- a short index range (those still open and those ended after it).
CREATE INDEX stage_entries_report_open ON stage_entries (
  ended_on, deleted, started_on, episode_id, stage_id
);
