-- Schema version 2: what the center report (stp-stats.c) reads besides the
-- indexes of version 1.  Local, never synced; kept by triggers, so that
-- local saves and synced changes (which arrive field by field, rows in any
-- order) maintain it alike.

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

-- The stage each episode was left at: that of the stage entry without a
-- tombstone started last on or before the discharge day (of those, the one
-- created last); NULL when there is none or the episode is not discharged.
-- Triggers on episodes and stage_entries recompute an episode's row with
-- the same query whenever a field it reads changes.
CREATE TABLE episode_exit_stages (
  episode_id TEXT PRIMARY KEY,
  stage_id TEXT
) WITHOUT ROWID;

INSERT INTO episode_exit_stages (episode_id, stage_id)
SELECT e.id, (SELECT se.stage_id FROM stage_entries se
              WHERE se.episode_id = e.id AND se.deleted = 0 AND se.started_on <= e.discharged_on
              ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1)
FROM episodes e WHERE e.id IS NOT NULL;

CREATE TRIGGER episodes_exit_stage_insert AFTER INSERT ON episodes
WHEN NEW.id IS NOT NULL
BEGIN
  INSERT INTO episode_exit_stages (episode_id, stage_id)
  SELECT NEW.id, (SELECT se.stage_id FROM stage_entries se
                  WHERE se.episode_id = NEW.id AND se.deleted = 0
                  AND se.started_on <= NEW.discharged_on
                  ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1)
  WHERE 1 ON CONFLICT (episode_id) DO UPDATE SET stage_id = excluded.stage_id;
END;

CREATE TRIGGER episodes_exit_stage_update AFTER UPDATE OF id, discharged_on ON episodes
BEGIN
  DELETE FROM episode_exit_stages WHERE episode_id = OLD.id AND OLD.id IS NOT NEW.id;
  INSERT INTO episode_exit_stages (episode_id, stage_id)
  SELECT NEW.id, (SELECT se.stage_id FROM stage_entries se
                  WHERE se.episode_id = NEW.id AND se.deleted = 0
                  AND se.started_on <= NEW.discharged_on
                  ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1)
  WHERE NEW.id IS NOT NULL
  ON CONFLICT (episode_id) DO UPDATE SET stage_id = excluded.stage_id;
END;

CREATE TRIGGER episodes_exit_stage_delete AFTER DELETE ON episodes
BEGIN
  DELETE FROM episode_exit_stages WHERE episode_id = OLD.id;
END;

CREATE TRIGGER stage_entries_exit_stage_insert AFTER INSERT ON stage_entries
WHEN NEW.episode_id IS NOT NULL
BEGIN
  UPDATE episode_exit_stages SET stage_id =
    (SELECT se.stage_id FROM stage_entries se, episodes e
     WHERE e.id = NEW.episode_id AND se.episode_id = e.id AND se.deleted = 0
     AND se.started_on <= e.discharged_on
     ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1)
  WHERE episode_id = NEW.episode_id;
END;

CREATE TRIGGER stage_entries_exit_stage_update
AFTER UPDATE OF episode_id, deleted, started_on, created_at, stage_id ON stage_entries
BEGIN
  UPDATE episode_exit_stages SET stage_id =
    (SELECT se.stage_id FROM stage_entries se, episodes e
     WHERE e.id = episode_exit_stages.episode_id AND se.episode_id = e.id AND se.deleted = 0
     AND se.started_on <= e.discharged_on
     ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1)
  WHERE episode_id IN (OLD.episode_id, NEW.episode_id);
END;

CREATE TRIGGER stage_entries_exit_stage_delete AFTER DELETE ON stage_entries
BEGIN
  UPDATE episode_exit_stages SET stage_id =
    (SELECT se.stage_id FROM stage_entries se, episodes e
     WHERE e.id = OLD.episode_id AND se.episode_id = e.id AND se.deleted = 0
     AND se.started_on <= e.discharged_on
     ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1)
  WHERE episode_id = OLD.episode_id;
END;

-- Stage entries by end: the entries open at the end of a recent period are
-- a short index range (those still open and those ended after it).
CREATE INDEX stage_entries_report_open ON stage_entries (
  ended_on, deleted, started_on, episode_id, stage_id
);

-- Court obligations as an index range, without reading the table rows.
CREATE INDEX court_obligations_report ON court_obligations (deleted, resident_id, basis);
