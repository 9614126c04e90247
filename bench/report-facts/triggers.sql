-- Prototype triggers keeping the rf_* tables of build.sql current, written only to measure
-- their cost on the write path (README.md here). Not the product: id changes are not handled
-- and the tables are not proven exact against the report.
CREATE TRIGGER rf_ep_ins AFTER INSERT ON episodes WHEN NEW.id IS NOT NULL BEGIN
  INSERT OR IGNORE INTO rf_keys VALUES (NEW.id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys));
  INSERT OR IGNORE INTO rf_keys SELECT NEW.resident_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.resident_id IS NOT NULL;
  INSERT OR REPLACE INTO rf_episodes SELECT coalesce (NEW.discharged_on, x'ff'), (SELECT n FROM rf_keys WHERE id = NEW.id),
    (SELECT n FROM rf_keys WHERE id = NEW.resident_id), NEW.admitted_on, NEW.referral_source, NEW.main_substance, NEW.status,
    (SELECT k.n FROM episode_exit_stages x JOIN rf_keys k ON k.id = x.stage_id WHERE x.episode_id = NEW.id),
    r.sex, r.birth_date, r.minors_in_household, r.family_status, r.kdn_informed_on, r.deleted, rc.relatives, rc.codependents, rc.minors
  FROM (SELECT 1) LEFT JOIN residents r ON r.id = NEW.resident_id LEFT JOIN relative_counts rc ON rc.resident_id = NEW.resident_id
  WHERE NEW.deleted = 0;
  INSERT OR REPLACE INTO rf_admitted SELECT NEW.admitted_on, (SELECT n FROM rf_keys WHERE id = NEW.id), (SELECT n FROM rf_keys WHERE id = NEW.resident_id),
    NEW.referral_source, NEW.main_substance WHERE NEW.deleted = 0 AND NEW.admitted_on IS NOT NULL;
END;
CREATE TRIGGER rf_ep_upd AFTER UPDATE OF deleted, resident_id, admitted_on, referral_source, main_substance, status, discharged_on ON episodes BEGIN
  DELETE FROM rf_episodes WHERE end_key = coalesce (OLD.discharged_on, x'ff') AND e = (SELECT n FROM rf_keys WHERE id = OLD.id);
  DELETE FROM rf_admitted WHERE admitted_on = OLD.admitted_on AND e = (SELECT n FROM rf_keys WHERE id = OLD.id);
  INSERT OR IGNORE INTO rf_keys SELECT NEW.resident_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.resident_id IS NOT NULL;
  INSERT OR REPLACE INTO rf_episodes SELECT coalesce (NEW.discharged_on, x'ff'), (SELECT n FROM rf_keys WHERE id = NEW.id),
    (SELECT n FROM rf_keys WHERE id = NEW.resident_id), NEW.admitted_on, NEW.referral_source, NEW.main_substance, NEW.status,
    (SELECT k.n FROM episode_exit_stages x JOIN rf_keys k ON k.id = x.stage_id WHERE x.episode_id = NEW.id),
    r.sex, r.birth_date, r.minors_in_household, r.family_status, r.kdn_informed_on, r.deleted, rc.relatives, rc.codependents, rc.minors
  FROM (SELECT 1) LEFT JOIN residents r ON r.id = NEW.resident_id LEFT JOIN relative_counts rc ON rc.resident_id = NEW.resident_id
  WHERE NEW.deleted = 0 AND NEW.id IS NOT NULL;
  INSERT OR REPLACE INTO rf_admitted SELECT NEW.admitted_on, (SELECT n FROM rf_keys WHERE id = NEW.id), (SELECT n FROM rf_keys WHERE id = NEW.resident_id),
    NEW.referral_source, NEW.main_substance WHERE NEW.deleted = 0 AND NEW.admitted_on IS NOT NULL AND NEW.id IS NOT NULL;
END;
CREATE TRIGGER rf_ep_del AFTER DELETE ON episodes BEGIN
  DELETE FROM rf_episodes WHERE end_key = coalesce (OLD.discharged_on, x'ff') AND e = (SELECT n FROM rf_keys WHERE id = OLD.id);
  DELETE FROM rf_admitted WHERE admitted_on = OLD.admitted_on AND e = (SELECT n FROM rf_keys WHERE id = OLD.id);
END;
CREATE TRIGGER rf_exit_ins AFTER INSERT ON episode_exit_stages BEGIN
  INSERT OR IGNORE INTO rf_keys SELECT NEW.stage_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.stage_id IS NOT NULL;
  UPDATE rf_episodes SET exit_stage = (SELECT n FROM rf_keys WHERE id = NEW.stage_id)
  WHERE (end_key, e) IN (SELECT coalesce (ep.discharged_on, x'ff'), k.n FROM episodes ep JOIN rf_keys k ON k.id = ep.id WHERE ep.id = NEW.episode_id);
END;
CREATE TRIGGER rf_exit_upd AFTER UPDATE ON episode_exit_stages BEGIN
  INSERT OR IGNORE INTO rf_keys SELECT NEW.stage_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.stage_id IS NOT NULL;
  UPDATE rf_episodes SET exit_stage = (SELECT n FROM rf_keys WHERE id = NEW.stage_id)
  WHERE (end_key, e) IN (SELECT coalesce (ep.discharged_on, x'ff'), k.n FROM episodes ep JOIN rf_keys k ON k.id = ep.id WHERE ep.id = NEW.episode_id);
END;
CREATE TRIGGER rf_res_upd AFTER UPDATE OF sex, birth_date, minors_in_household, family_status, kdn_informed_on, deleted ON residents BEGIN
  UPDATE rf_episodes SET sex = NEW.sex, birth_date = NEW.birth_date, minors = NEW.minors_in_household, family_status = NEW.family_status,
    kdn = NEW.kdn_informed_on, rdeleted = NEW.deleted
  WHERE (end_key, e) IN (SELECT coalesce (ep.discharged_on, x'ff'), k.n FROM episodes ep JOIN rf_keys k ON k.id = ep.id WHERE ep.resident_id = NEW.id AND ep.deleted = 0);
END;
CREATE TRIGGER rf_res_ins AFTER INSERT ON residents BEGIN
  UPDATE rf_episodes SET sex = NEW.sex, birth_date = NEW.birth_date, minors = NEW.minors_in_household, family_status = NEW.family_status,
    kdn = NEW.kdn_informed_on, rdeleted = NEW.deleted
  WHERE (end_key, e) IN (SELECT coalesce (ep.discharged_on, x'ff'), k.n FROM episodes ep JOIN rf_keys k ON k.id = ep.id WHERE ep.resident_id = NEW.id AND ep.deleted = 0);
END;
CREATE TRIGGER rf_rel_ins AFTER INSERT ON relative_counts BEGIN
  UPDATE rf_episodes SET relatives = NEW.relatives, codependents = NEW.codependents, rminors = NEW.minors
  WHERE (end_key, e) IN (SELECT coalesce (ep.discharged_on, x'ff'), k.n FROM episodes ep JOIN rf_keys k ON k.id = ep.id WHERE ep.resident_id = NEW.resident_id AND ep.deleted = 0);
END;
CREATE TRIGGER rf_rel_upd AFTER UPDATE ON relative_counts BEGIN
  UPDATE rf_episodes SET relatives = NEW.relatives, codependents = NEW.codependents, rminors = NEW.minors
  WHERE (end_key, e) IN (SELECT coalesce (ep.discharged_on, x'ff'), k.n FROM episodes ep JOIN rf_keys k ON k.id = ep.id WHERE ep.resident_id = NEW.resident_id AND ep.deleted = 0);
END;
CREATE TRIGGER rf_se_ins AFTER INSERT ON stage_entries WHEN NEW.deleted = 0 AND NEW.id IS NOT NULL AND NEW.episode_id IS NOT NULL BEGIN
  INSERT OR IGNORE INTO rf_keys VALUES (NEW.id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys));
  INSERT OR IGNORE INTO rf_keys VALUES (NEW.episode_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys));
  INSERT OR IGNORE INTO rf_keys SELECT NEW.stage_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.stage_id IS NOT NULL;
  INSERT OR REPLACE INTO rf_stages VALUES (coalesce (NEW.ended_on, x'ff'), (SELECT n FROM rf_keys WHERE id = NEW.episode_id),
    (SELECT n FROM rf_keys WHERE id = NEW.id), NEW.started_on, (SELECT n FROM rf_keys WHERE id = NEW.stage_id));
END;
CREATE TRIGGER rf_se_upd AFTER UPDATE OF deleted, episode_id, ended_on, started_on, stage_id ON stage_entries BEGIN
  DELETE FROM rf_stages WHERE end_key = coalesce (OLD.ended_on, x'ff') AND e = (SELECT n FROM rf_keys WHERE id = OLD.episode_id)
    AND s = (SELECT n FROM rf_keys WHERE id = OLD.id);
  INSERT OR IGNORE INTO rf_keys SELECT NEW.episode_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.episode_id IS NOT NULL;
  INSERT OR IGNORE INTO rf_keys SELECT NEW.stage_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.stage_id IS NOT NULL;
  INSERT OR REPLACE INTO rf_stages SELECT coalesce (NEW.ended_on, x'ff'), (SELECT n FROM rf_keys WHERE id = NEW.episode_id),
    (SELECT n FROM rf_keys WHERE id = NEW.id), NEW.started_on, (SELECT n FROM rf_keys WHERE id = NEW.stage_id)
  WHERE NEW.deleted = 0 AND NEW.id IS NOT NULL AND NEW.episode_id IS NOT NULL;
END;
CREATE TRIGGER rf_fu_ins AFTER INSERT ON follow_ups WHEN NEW.deleted = 0 AND NEW.id IS NOT NULL BEGIN
  INSERT OR IGNORE INTO rf_keys VALUES (NEW.id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys));
  INSERT OR IGNORE INTO rf_keys SELECT NEW.resident_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.resident_id IS NOT NULL;
  INSERT OR REPLACE INTO rf_done SELECT NEW.done_on, (SELECT n FROM rf_keys WHERE id = NEW.id), (SELECT n FROM rf_keys WHERE id = NEW.resident_id),
    (coalesce(NEW.employed,0)>0) | ((coalesce(NEW.documents_restored,0)>0)<<1) | ((coalesce(NEW.returned_to_family,0)>0)<<2) | ((coalesce(NEW.housing,0)>0)<<3) | ((coalesce(NEW.attends_groups,0)>0)<<4)
    WHERE NEW.done_on IS NOT NULL AND NEW.outcome = 'done';
  INSERT OR REPLACE INTO rf_due SELECT NEW.months, NEW.due_on, (SELECT n FROM rf_keys WHERE id = NEW.id), (SELECT n FROM rf_keys WHERE id = NEW.resident_id),
    NEW.outcome, NEW.remission WHERE NEW.months IN (6, 12) AND NEW.due_on IS NOT NULL;
END;
CREATE TRIGGER rf_fu_upd AFTER UPDATE OF deleted, resident_id, months, due_on, done_on, outcome, remission, employed, documents_restored, returned_to_family, housing, attends_groups ON follow_ups BEGIN
  DELETE FROM rf_done WHERE done_on = OLD.done_on AND f = (SELECT n FROM rf_keys WHERE id = OLD.id);
  DELETE FROM rf_due WHERE months = OLD.months AND due_on = OLD.due_on AND f = (SELECT n FROM rf_keys WHERE id = OLD.id);
  INSERT OR IGNORE INTO rf_keys SELECT NEW.id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.id IS NOT NULL;
  INSERT OR IGNORE INTO rf_keys SELECT NEW.resident_id, (SELECT coalesce (max (n), 0) + 1 FROM rf_keys) WHERE NEW.resident_id IS NOT NULL;
  INSERT OR REPLACE INTO rf_done SELECT NEW.done_on, (SELECT n FROM rf_keys WHERE id = NEW.id), (SELECT n FROM rf_keys WHERE id = NEW.resident_id),
    (coalesce(NEW.employed,0)>0) | ((coalesce(NEW.documents_restored,0)>0)<<1) | ((coalesce(NEW.returned_to_family,0)>0)<<2) | ((coalesce(NEW.housing,0)>0)<<3) | ((coalesce(NEW.attends_groups,0)>0)<<4)
    WHERE NEW.deleted = 0 AND NEW.id IS NOT NULL AND NEW.done_on IS NOT NULL AND NEW.outcome = 'done';
  INSERT OR REPLACE INTO rf_due SELECT NEW.months, NEW.due_on, (SELECT n FROM rf_keys WHERE id = NEW.id), (SELECT n FROM rf_keys WHERE id = NEW.resident_id),
    NEW.outcome, NEW.remission WHERE NEW.deleted = 0 AND NEW.id IS NOT NULL AND NEW.months IN (6, 12) AND NEW.due_on IS NOT NULL;
END;
