-- Schema version 7: every program stage has a kind from a fixed list
-- (DOMAIN.md; codes of StpStageKind in stp-types.c), so that centers with
-- different programs can be added up in the region.
--
-- Existing stages get the kind of the default template stage of the same
-- name, else «другое».  The values are written without field versions:
-- every device computes the same ones from the same names, and a kind
-- chosen later in the program editor is a newer change that wins.  A
-- stage that arrives from an older program without a kind is read as
-- «другое» by the statistics (coalesce (kind, 'other')).

ALTER TABLE stages ADD COLUMN kind TEXT;

UPDATE stages SET kind = CASE name
  WHEN 'Мотивация и приём' THEN 'motivation'
  WHEN 'Адаптация' THEN 'adaptation'
  WHEN 'Основной курс' THEN 'main_course'
  WHEN 'Ресоциализация' THEN 'resocialization'
  WHEN 'Постреабилитационное сопровождение' THEN 'aftercare'
  WHEN 'Курс социальной реабилитации' THEN 'main_course'
  WHEN 'Постреабилитационный период' THEN 'aftercare'
  WHEN 'Направление из медицинской организации' THEN 'motivation'
  WHEN 'Оценка нуждаемости' THEN 'motivation'
  WHEN 'План сопровождения' THEN 'aftercare'
  WHEN 'Межведомственные меры' THEN 'aftercare'
  WHEN 'Завершение' THEN 'aftercare'
  ELSE 'other' END
WHERE kind IS NULL;
