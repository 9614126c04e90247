-- Schema version 5: a new resident's summary is written once, whole.
--
-- Before, inserting a resident inserted an empty summary row and then
-- updated it: its values, then (through resident_summaries_words) its name
-- key and words, then the FTS row and the name prefixes, rewriting the
-- entries of every summary index up to three times.  That chain was about
-- two thirds of the time a device needs to take in a center's residents
-- on its first sync (18 of 27 s for 100 000 residents).  Now the insert
-- trigger computes the whole row, an insert trigger on the summary adds
-- its FTS row and prefixes, and the episode part is computed only when
-- the resident already has an episode (the WHEN clause of 004).
--
-- The name key and the words come from two C functions (stp-store.c),
-- stp_full_key() and stp_search_words(), which also replace the inline
-- expressions of the words trigger, so both paths share one definition.
-- The values are the same as before: no summary needs rebuilding.

DROP TRIGGER resident_summaries_words;
CREATE TRIGGER resident_summaries_words AFTER UPDATE OF surname, name, patronymic, file_number, phone
ON resident_summaries
BEGIN
  UPDATE resident_summaries SET
    full_key = stp_full_key (NEW.surname, NEW.name, NEW.patronymic),
    phonetic = coalesce (stp_phonetic (NEW.surname), ''),
    words = stp_search_words (NEW.surname, NEW.name, NEW.patronymic, NEW.file_number, NEW.phone)
  WHERE rid = NEW.rid;
  INSERT OR REPLACE INTO resident_fts (rowid, words)
    SELECT rid, words FROM resident_summaries WHERE rid = NEW.rid;
END;

CREATE TRIGGER resident_summaries_insert AFTER INSERT ON resident_summaries
BEGIN
  INSERT OR REPLACE INTO resident_fts (rowid, words) VALUES (NEW.rid, NEW.words);
  INSERT OR IGNORE INTO resident_prefixes (prefix, full_key, rid)
  SELECT value, NEW.full_key, NEW.rid FROM json_each (stp_name_prefixes (NEW.full_key))
  WHERE NEW.deleted = 0;
END;

DROP TRIGGER residents_search_insert;
CREATE TRIGGER residents_search_insert AFTER INSERT ON residents
BEGIN
  INSERT OR IGNORE INTO resident_summaries
    (resident_id, deleted, surname, name, patronymic, file_number, birth_date, sex, phone,
     snils, document, full_key, phonetic, words)
  VALUES
    (NEW.id, NEW.deleted, NEW.surname, NEW.name, NEW.patronymic, NEW.file_number,
     NEW.birth_date, NEW.sex, NEW.phone, NEW.snils, NEW.document,
     stp_full_key (NEW.surname, NEW.name, NEW.patronymic),
     coalesce (stp_phonetic (NEW.surname), ''),
     stp_search_words (NEW.surname, NEW.name, NEW.patronymic, NEW.file_number, NEW.phone));
  -- A summary left from before (not expected: it goes with its resident)
  -- takes the new values through the update triggers, as it always did.
  UPDATE resident_summaries SET
    deleted = NEW.deleted, surname = NEW.surname, name = NEW.name, patronymic = NEW.patronymic,
    file_number = NEW.file_number, birth_date = NEW.birth_date, sex = NEW.sex, phone = NEW.phone,
    snils = NEW.snils, document = NEW.document
  WHERE resident_id = NEW.id
    AND (deleted, surname, name, patronymic, file_number, birth_date, sex, phone, snils, document)
        IS NOT (NEW.deleted, NEW.surname, NEW.name, NEW.patronymic, NEW.file_number,
                NEW.birth_date, NEW.sex, NEW.phone, NEW.snils, NEW.document);
  -- Episodes that arrived before their resident (a sync may bring rows in
  -- any order) give the summary its episode part.
  UPDATE resident_summaries SET refresh = refresh + 1
  WHERE resident_id = NEW.id
    AND EXISTS (SELECT 1 FROM episodes WHERE resident_id = NEW.id AND deleted = 0);
END;
