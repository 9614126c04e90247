-- Prototype (not the product, not a migration): the year numbers' facts in
-- five compact tables, each clustered by the date its period ranges use, with
-- the long text ids replaced by small integers from a local dictionary.  Run
-- by proto.py on a COPY of a center; see README.md here.
CREATE TABLE rf_keys (id TEXT PRIMARY KEY, n INTEGER NOT NULL UNIQUE) WITHOUT ROWID;
INSERT INTO rf_keys SELECT id, row_number () OVER () FROM (
  SELECT id FROM residents WHERE id IS NOT NULL UNION SELECT id FROM episodes WHERE id IS NOT NULL
  UNION SELECT stage_id FROM stage_entries WHERE stage_id IS NOT NULL
  UNION SELECT id FROM stage_entries WHERE id IS NOT NULL UNION SELECT id FROM follow_ups WHERE id IS NOT NULL);
-- Each episode without a tombstone, by discharge day (x'ff' while running),
-- with its resident's fields, relatives counts and exit stage denormalized.
CREATE TABLE rf_episodes (
  end_key NOT NULL, e INTEGER NOT NULL, r INTEGER, admitted_on, src, subst, status, exit_stage INTEGER,
  sex, birth_date, minors, family_status, kdn, rdeleted, relatives, codependents, rminors,
  PRIMARY KEY (end_key, e)) WITHOUT ROWID;
INSERT INTO rf_episodes SELECT coalesce (e.discharged_on, x'ff'), ke.n, kr.n, e.admitted_on, e.referral_source,
  e.main_substance, e.status, ks.n, r.sex, r.birth_date, r.minors_in_household, r.family_status, r.kdn_informed_on,
  r.deleted, rc.relatives, rc.codependents, rc.minors
FROM episodes e JOIN rf_keys ke ON ke.id = e.id LEFT JOIN rf_keys kr ON kr.id = e.resident_id
LEFT JOIN residents r ON r.id = e.resident_id LEFT JOIN episode_exit_stages x ON x.episode_id = e.id
LEFT JOIN rf_keys ks ON ks.id = x.stage_id LEFT JOIN relative_counts rc ON rc.resident_id = e.resident_id
WHERE e.deleted = 0 ORDER BY 1, 2;
CREATE TABLE rf_admitted (admitted_on NOT NULL, e INTEGER NOT NULL, r INTEGER, src, subst,
  PRIMARY KEY (admitted_on, e)) WITHOUT ROWID;
INSERT INTO rf_admitted SELECT e.admitted_on, ke.n, kr.n, e.referral_source, e.main_substance
FROM episodes e JOIN rf_keys ke ON ke.id = e.id LEFT JOIN rf_keys kr ON kr.id = e.resident_id
WHERE e.deleted = 0 AND e.admitted_on IS NOT NULL ORDER BY 1, 2;
CREATE TABLE rf_stages (end_key NOT NULL, e INTEGER NOT NULL, s INTEGER NOT NULL, started_on, stage INTEGER,
  PRIMARY KEY (end_key, e, s)) WITHOUT ROWID;
INSERT INTO rf_stages SELECT coalesce (se.ended_on, x'ff'), ke.n, ks.n, se.started_on, kst.n
FROM stage_entries se JOIN rf_keys ke ON ke.id = se.episode_id JOIN rf_keys ks ON ks.id = se.id
LEFT JOIN rf_keys kst ON kst.id = se.stage_id WHERE se.deleted = 0 ORDER BY 1, 2, 3;
CREATE TABLE rf_done (done_on NOT NULL, f INTEGER NOT NULL, r INTEGER, flags INTEGER,
  PRIMARY KEY (done_on, f)) WITHOUT ROWID;
INSERT INTO rf_done SELECT fu.done_on, kf.n, kr.n,
  (coalesce (fu.employed, 0) > 0) | ((coalesce (fu.documents_restored, 0) > 0) << 1)
  | ((coalesce (fu.returned_to_family, 0) > 0) << 2) | ((coalesce (fu.housing, 0) > 0) << 3)
  | ((coalesce (fu.attends_groups, 0) > 0) << 4)
FROM follow_ups fu JOIN rf_keys kf ON kf.id = fu.id LEFT JOIN rf_keys kr ON kr.id = fu.resident_id
WHERE fu.deleted = 0 AND fu.done_on IS NOT NULL AND fu.outcome = 'done' ORDER BY 1, 2;
CREATE TABLE rf_due (months INTEGER NOT NULL, due_on NOT NULL, f INTEGER NOT NULL, r INTEGER, outcome, remission,
  PRIMARY KEY (months, due_on, f)) WITHOUT ROWID;
INSERT INTO rf_due SELECT fu.months, fu.due_on, kf.n, kr.n, fu.outcome, fu.remission
FROM follow_ups fu JOIN rf_keys kf ON kf.id = fu.id LEFT JOIN rf_keys kr ON kr.id = fu.resident_id
WHERE fu.deleted = 0 AND fu.months IN (6, 12) AND fu.due_on IS NOT NULL ORDER BY 1, 2, 3;
