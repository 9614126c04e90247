-- Schema version 1, search part: a local (never synced) denormalized
-- summary per resident for the name list, search and duplicate check, and an
-- FTS5 index of its words.  Triggers keep both current, so local saves and
-- synced changes (which arrive field by field, rows in any order) maintain
-- them alike.  stp_norm(text) and stp_phonetic(text) are the C functions
-- stp_normalize_text() and stp_phonetic_key(), registered on every
-- connection.

CREATE TABLE resident_summaries (
  rid INTEGER PRIMARY KEY,              -- stable rowid for the FTS index
  resident_id TEXT NOT NULL UNIQUE,
  deleted INTEGER NOT NULL DEFAULT 0,
  surname TEXT, name TEXT, patronymic TEXT, file_number TEXT, birth_date TEXT,
  sex TEXT, phone TEXT, snils TEXT, document TEXT,
  full_key TEXT NOT NULL DEFAULT '',    -- stp_norm ("surname name patronymic"): order and duplicates
  phonetic TEXT NOT NULL DEFAULT '',    -- stp_phonetic (surname)
  words TEXT NOT NULL DEFAULT '',       -- ' ' || every searchable word, for LIKE '% word%'
  refresh INTEGER NOT NULL DEFAULT 0,   -- bumped to recompute the episode part
  episode_id TEXT, status TEXT, admitted_on TEXT, program_id TEXT,
  responsible_user_id TEXT, responsible_name TEXT,
  stage_id TEXT, stage_name TEXT, stage_position INTEGER, stage_started_on TEXT
);
CREATE INDEX resident_summaries_name_birth ON resident_summaries (full_key, birth_date);
CREATE INDEX resident_summaries_phonetic ON resident_summaries (phonetic, birth_date);
CREATE INDEX resident_summaries_episode ON resident_summaries (episode_id);
CREATE INDEX resident_summaries_stage ON resident_summaries (stage_id);
CREATE INDEX resident_summaries_responsible ON resident_summaries (responsible_user_id);
CREATE INDEX resident_summaries_status ON resident_summaries (status, stage_position);

CREATE VIRTUAL TABLE resident_fts USING fts5 (
  words, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3'
);

-- The searchable words: name parts, file number (as typed and without
-- separators) and phone digits (whole, and without the leading 7 or 8).
CREATE TRIGGER resident_summaries_words AFTER UPDATE OF surname, name, patronymic, file_number, phone
ON resident_summaries
BEGIN
  UPDATE resident_summaries SET
    full_key = trim (stp_norm (coalesce (NEW.surname, '') || ' ' || coalesce (NEW.name, '') || ' '
                               || coalesce (NEW.patronymic, ''))),
    phonetic = coalesce (stp_phonetic (NEW.surname), ''),
    words = ' ' || trim (stp_norm (coalesce (NEW.surname, '') || ' ' || coalesce (NEW.name, '') || ' '
                                   || coalesce (NEW.patronymic, '') || ' ' || coalesce (NEW.file_number, '')))
            || ' ' || replace (stp_norm (coalesce (NEW.file_number, '')), ' ', '')
            || ' ' || replace (stp_norm (coalesce (NEW.phone, '')), ' ', '')
            || CASE WHEN length (replace (stp_norm (coalesce (NEW.phone, '')), ' ', '')) = 11
                     AND substr (replace (stp_norm (coalesce (NEW.phone, '')), ' ', ''), 1, 1) IN ('7', '8')
                    THEN ' ' || substr (replace (stp_norm (coalesce (NEW.phone, '')), ' ', ''), 2)
                    ELSE '' END
  WHERE rid = NEW.rid;
  INSERT OR REPLACE INTO resident_fts (rowid, words)
    SELECT rid, words FROM resident_summaries WHERE rid = NEW.rid;
END;

CREATE TRIGGER resident_summaries_episode_part AFTER UPDATE OF refresh ON resident_summaries
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

CREATE TRIGGER resident_summaries_delete AFTER DELETE ON resident_summaries
BEGIN
  DELETE FROM resident_fts WHERE rowid = OLD.rid;
END;

-- Residents.
CREATE TRIGGER residents_search_insert AFTER INSERT ON residents
BEGIN
  INSERT OR IGNORE INTO resident_summaries (resident_id) VALUES (NEW.id);
  UPDATE resident_summaries SET
    deleted = NEW.deleted, surname = NEW.surname, name = NEW.name, patronymic = NEW.patronymic,
    file_number = NEW.file_number, birth_date = NEW.birth_date, sex = NEW.sex, phone = NEW.phone,
    snils = NEW.snils, document = NEW.document, refresh = refresh + 1
  WHERE resident_id = NEW.id;
END;

CREATE TRIGGER residents_search_update
AFTER UPDATE OF surname, name, patronymic, file_number, birth_date, sex, phone, snils, document, deleted
ON residents
BEGIN
  UPDATE resident_summaries SET
    deleted = NEW.deleted, surname = NEW.surname, name = NEW.name, patronymic = NEW.patronymic,
    file_number = NEW.file_number, birth_date = NEW.birth_date, sex = NEW.sex, phone = NEW.phone,
    snils = NEW.snils, document = NEW.document
  WHERE resident_id = NEW.id;
END;

CREATE TRIGGER residents_search_delete AFTER DELETE ON residents
BEGIN
  DELETE FROM resident_summaries WHERE resident_id = OLD.id;
END;

-- Episodes: the newest one of the resident.
CREATE TRIGGER episodes_summary_insert AFTER INSERT ON episodes
BEGIN
  UPDATE resident_summaries SET refresh = refresh + 1 WHERE resident_id = NEW.resident_id;
END;

CREATE TRIGGER episodes_summary_update
AFTER UPDATE OF resident_id, admitted_on, created_at, status, program_id, responsible_user_id, deleted
ON episodes
BEGIN
  UPDATE resident_summaries SET refresh = refresh + 1
  WHERE resident_id = NEW.resident_id OR resident_id = OLD.resident_id;
END;

-- Stage entries: the open one of the newest episode.
CREATE TRIGGER stage_entries_summary_insert AFTER INSERT ON stage_entries
BEGIN
  UPDATE resident_summaries SET refresh = refresh + 1 WHERE episode_id = NEW.episode_id;
END;

CREATE TRIGGER stage_entries_summary_update
AFTER UPDATE OF episode_id, stage_id, started_on, ended_on, created_at, deleted ON stage_entries
BEGIN
  UPDATE resident_summaries SET refresh = refresh + 1
  WHERE episode_id = NEW.episode_id OR episode_id = OLD.episode_id;
END;

-- Names shown in the summary.
CREATE TRIGGER stages_summary_insert AFTER INSERT ON stages
BEGIN
  UPDATE resident_summaries SET stage_name = NEW.name, stage_position = NEW.position
  WHERE stage_id = NEW.id;
END;

CREATE TRIGGER stages_summary_update AFTER UPDATE OF name, position ON stages
BEGIN
  UPDATE resident_summaries SET stage_name = NEW.name, stage_position = NEW.position
  WHERE stage_id = NEW.id;
END;

CREATE TRIGGER users_summary_insert AFTER INSERT ON users
BEGIN
  UPDATE resident_summaries SET responsible_name = NEW.full_name
  WHERE responsible_user_id = NEW.id;
END;

CREATE TRIGGER users_summary_update AFTER UPDATE OF full_name ON users
BEGIN
  UPDATE resident_summaries SET responsible_name = NEW.full_name
  WHERE responsible_user_id = NEW.id;
END;

-- The name list in name order without touching the table rows (the
-- summary columns are in the index), and the walk that checks words.
CREATE INDEX resident_summaries_list ON resident_summaries (
  full_key, rid, resident_id, deleted, words, status, stage_id, responsible_user_id,
  surname, name, patronymic, file_number, birth_date, sex, episode_id, admitted_on,
  program_id, stage_name, stage_position, stage_started_on, responsible_name
);
-- The name-order walk that checks words reads this narrow index, and text
-- matches are ordered by name from the next one; only the shown page is
-- then read from the table.
CREATE INDEX resident_summaries_words ON resident_summaries (full_key, rid, deleted, words);
CREATE INDEX resident_summaries_fts ON resident_summaries (rid, deleted, full_key);

-- Indexes for the center report (stp-stats.c): each section reads an
-- index range without visiting table rows.
CREATE INDEX residents_deleted ON residents (id) WHERE deleted <> 0;
CREATE INDEX residents_report ON residents (
  id, deleted, family_status, minors_in_household, kdn_informed_on, birth_date, sex
);
CREATE INDEX episodes_report_admitted ON episodes (
  admitted_on, deleted, referral_source, main_substance, resident_id
);
CREATE INDEX episodes_report_discharged ON episodes (
  discharged_on, deleted, admitted_on, referral_source, main_substance, status, resident_id, id
);
CREATE INDEX stage_entries_report ON stage_entries (
  episode_id, started_on, ended_on, deleted, stage_id, created_at
);
CREATE INDEX relatives_report ON relatives (resident_id, deleted, codependent, minor);
CREATE INDEX follow_ups_report_due ON follow_ups (
  months, due_on, deleted, outcome, remission, resident_id
);
CREATE INDEX follow_ups_report_done ON follow_ups (
  done_on, deleted, outcome, resident_id, employed, documents_restored, returned_to_family,
  housing, attends_groups
);
CREATE INDEX referrals_report ON referrals (
  sent_on, deleted, direction, agency_kind, due_on, response_on, resident_id
);
