-- Schema version 4: the episode part of a resident's summary is recomputed
-- only when there is something to compute.  A new resident (the first sync
-- of a device brings every resident this way) has no episode yet and an
-- empty episode part, which the three updates below would only rewrite
-- with the same NULLs, with every index of resident_summaries: that was
-- about half the cost of inserting a resident.  The condition is exact:
-- without a live episode the trigger sets these columns to NULL, so it is
-- skipped only when they are NULL already.
DROP TRIGGER resident_summaries_episode_part;
CREATE TRIGGER resident_summaries_episode_part AFTER UPDATE OF refresh ON resident_summaries
WHEN coalesce (NEW.episode_id, NEW.status, NEW.admitted_on, NEW.program_id,
               NEW.responsible_user_id, NEW.responsible_name, NEW.stage_id, NEW.stage_name,
               NEW.stage_position, NEW.stage_started_on) IS NOT NULL
  OR EXISTS (SELECT 1 FROM episodes WHERE resident_id = NEW.resident_id AND deleted = 0)
BEGIN
  UPDATE resident_summaries SET
    (episode_id, status, admitted_on, program_id, responsible_user_id) =
      (SELECT id, status, admitted_on, program_id, responsible_user_id FROM episodes
       WHERE resident_id = NEW.resident_id AND deleted = 0
       ORDER BY admitted_on DESC, created_at DESC, id DESC LIMIT 1)
  WHERE rid = NEW.rid;
  UPDATE resident_summaries SET
    (stage_id, stage_started_on) =
      (SELECT stage_id, started_on FROM stage_entries
       WHERE episode_id = resident_summaries.episode_id AND deleted = 0 AND ended_on IS NULL
       ORDER BY started_on DESC, created_at DESC LIMIT 1)
  WHERE rid = NEW.rid;
  UPDATE resident_summaries SET
    (stage_name, stage_position) = (SELECT name, position FROM stages WHERE id = resident_summaries.stage_id),
    responsible_name = (SELECT full_name FROM users WHERE id = resident_summaries.responsible_user_id)
  WHERE rid = NEW.rid;
END;
