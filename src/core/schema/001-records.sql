-- Schema version 1: the synced records and the local bookkeeping.
--
-- Synced tables carry id (UUIDv7 text), created_at, updated_at (UTC ISO
-- 8601) and deleted (a permanent tombstone).  Column names equal the field
-- names of src/core/stp-records.h and the field names on the wire.
-- References between synced rows are not declared as foreign keys: rows of
-- one center arrive from other devices in any order, field by field.
-- Enumerations are stored as their code (stp-types.h, stp_enum_to_code).

CREATE TABLE centers (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  name TEXT, region TEXT, legal_name TEXT, inn TEXT, ogrn TEXT, address TEXT,
  seats_total INTEGER, seats_male INTEGER, seats_female INTEGER
);

CREATE TABLE users (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  login TEXT, full_name TEXT, role TEXT, password_hash TEXT, active INTEGER
);
CREATE INDEX users_login ON users (login);

CREATE TABLE programs (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  name TEXT, model TEXT, description TEXT, active INTEGER
);

CREATE TABLE stages (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  program_id TEXT, position INTEGER, name TEXT, planned_days_min INTEGER,
  planned_days_max INTEGER, description TEXT, retired INTEGER
);
CREATE INDEX stages_program ON stages (program_id, position);

CREATE TABLE residents (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  surname TEXT, name TEXT, patronymic TEXT, birth_date TEXT, sex TEXT, citizenship TEXT,
  phone TEXT, registration_address TEXT, actual_address TEXT, education TEXT,
  profession TEXT, employment TEXT, document TEXT, snils TEXT, file_number TEXT,
  minors_in_household INTEGER, family_status TEXT, family_status_since TEXT,
  kdn_informed_on TEXT, accompaniment_plan TEXT
);
CREATE INDEX residents_file_number ON residents (file_number);
CREATE INDEX residents_snils ON residents (snils) WHERE snils IS NOT NULL;
CREATE INDEX residents_document ON residents (document) WHERE document IS NOT NULL;
CREATE INDEX residents_name ON residents (surname, name, patronymic);

CREATE TABLE episodes (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, program_id TEXT, admitted_on TEXT, referral_source TEXT,
  payment_source TEXT, certificate_number TEXT, main_substance TEXT, other_substances TEXT,
  years_of_use INTEGER, prior_treatments TEXT, responsible_user_id TEXT, status TEXT,
  discharged_on TEXT, discharge_reason TEXT
);
CREATE INDEX episodes_resident ON episodes (resident_id, admitted_on);
CREATE INDEX episodes_admitted ON episodes (admitted_on);
CREATE INDEX episodes_discharged ON episodes (discharged_on);

CREATE TABLE stage_entries (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  episode_id TEXT, stage_id TEXT, started_on TEXT, ended_on TEXT, result TEXT, note TEXT,
  staff_user_id TEXT
);
CREATE INDEX stage_entries_episode ON stage_entries (episode_id, started_on);

CREATE TABLE relatives (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, full_name TEXT, relation TEXT, birth_date TEXT, phone TEXT, address TEXT,
  lives_with_resident INTEGER, minor INTEGER, codependent INTEGER, consent_to_contact INTEGER,
  note TEXT
);
CREATE INDEX relatives_resident ON relatives (resident_id);

CREATE TABLE consents (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, kind TEXT, recipient TEXT, signed_on TEXT, expires_on TEXT,
  withdrawn_on TEXT, legal_representative TEXT
);
CREATE INDEX consents_resident ON consents (resident_id);

CREATE TABLE journal_entries (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, episode_id TEXT, kind TEXT, occurred_at TEXT, author_user_id TEXT,
  text TEXT, restricted INTEGER
);
CREATE INDEX journal_entries_resident ON journal_entries (resident_id, occurred_at);

CREATE TABLE screenings (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, episode_id TEXT, taken_on TEXT, reason TEXT, method TEXT, result TEXT,
  substances TEXT, staff_user_id TEXT
);
CREATE INDEX screenings_resident ON screenings (resident_id, taken_on);

CREATE TABLE follow_ups (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  episode_id TEXT, resident_id TEXT, months INTEGER, due_on TEXT, done_on TEXT, outcome TEXT,
  contact_method TEXT, remission TEXT, verified_by TEXT, employed INTEGER, housing INTEGER,
  returned_to_family INTEGER, documents_restored INTEGER, attends_groups INTEGER, note TEXT
);
CREATE INDEX follow_ups_episode ON follow_ups (episode_id, months);
CREATE INDEX follow_ups_due ON follow_ups (due_on) WHERE done_on IS NULL;

CREATE TABLE referrals (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, direction TEXT, agency_kind TEXT, agency_name TEXT,
  registration_number TEXT, sent_on TEXT, purpose TEXT, consent_id TEXT, due_on TEXT,
  response_on TEXT, outcome TEXT
);
CREATE INDEX referrals_resident ON referrals (resident_id, sent_on);
CREATE INDEX referrals_due ON referrals (due_on) WHERE response_on IS NULL;

CREATE TABLE court_obligations (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  resident_id TEXT, basis TEXT, court TEXT, case_number TEXT, decision_date TEXT, term TEXT,
  supervising_body TEXT, inspector TEXT
);
CREATE INDEX court_obligations_resident ON court_obligations (resident_id);

CREATE TABLE court_notices (
  id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,
  obligation_id TEXT, kind TEXT, sent_on TEXT, note TEXT
);
CREATE INDEX court_notices_obligation ON court_notices (obligation_id);

-- Local bookkeeping (never synced).

-- device_id, device_code, file_counter_<year>, hlc_last, ...
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

-- The version (HLC + device) of every synced field's current value.
CREATE TABLE field_versions (
  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
  hlc INTEGER NOT NULL, device TEXT NOT NULL,
  PRIMARY KEY (tbl, row_id, field)
) WITHOUT ROWID;

-- Local changes not yet acknowledged by the server (acknowledged rows are
-- removed once the server gave them a seq).
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value,
  hlc INTEGER NOT NULL, device TEXT NOT NULL,
  base_hlc INTEGER NOT NULL DEFAULT 0, base_device TEXT
);

-- Concurrent edits of one field: the losing value is kept for people to
-- review; resolving writes the chosen value as a new change.
CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
  winner_value, winner_hlc INTEGER, winner_device TEXT,
  loser_value, loser_hlc INTEGER, loser_device TEXT,
  detected_at TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT
);
CREATE INDEX conflicts_open ON conflicts (resolved_at);

-- Changes for tables or fields this version does not know (a newer program
-- sent them); applied after an upgrade.
CREATE TABLE parked_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value,
  hlc INTEGER NOT NULL, device TEXT NOT NULL,
  base_hlc INTEGER NOT NULL DEFAULT 0, base_device TEXT,
  received_at TEXT NOT NULL
);

-- Append-only access log.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL, user_login TEXT, device_id TEXT, action TEXT NOT NULL,
  entity TEXT, entity_id TEXT, detail TEXT
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE (ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE (ABORT, 'audit events are append-only'); END;

CREATE TABLE login_failures (
  login TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure INTEGER NOT NULL
) WITHOUT ROWID;
