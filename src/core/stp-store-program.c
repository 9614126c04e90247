#define G_LOG_DOMAIN "stp-store-program"

#include "config.h"

#include "stp-store.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "stp-error.h"
#include "stp-query.h"
#include "stp-store-private.h"
#include "stp-validate.h"

static const int follow_up_months[] = { 1, 3, 6, 12, 24 };

/* --- Default templates (DOMAIN.md); Russian data, not UI strings --------- */

typedef struct
{
  const char *name;
  int         days_min;
  int         days_max;
  const char *description;
} StageTemplate;

typedef struct
{
  const char          *name;
  StpProgramModel      model;
  const char          *description;
  const StageTemplate *stages;
  guint                n_stages;
} ProgramTemplate;

static const StageTemplate residential_stages[] = {
  { "Мотивация и приём", 0, 14, "Мотивационная работа, приём, оформление документов." },
  { "Адаптация", 14, 30, "Привыкание к распорядку и правилам программы." },
  { "Основной курс", 90, 180, "Основная реабилитационная программа." },
  { "Ресоциализация", 60, 180, "Адаптационная квартира, поиск работы, восстановление документов." },
  { "Постреабилитационное сопровождение", 180, 365, "Сопровождение после выхода из центра." },
};

static const StageTemplate certificate_stages[] = {
  { "Курс социальной реабилитации", 0, 180,
    "Отметки сертификата: начало и окончание курса." },
  { "Постреабилитационный период", 0, 180,
    "Отметки сертификата: начало и окончание постреабилитационного периода." },
};

static const StageTemplate accompaniment_stages[] = {
  { "Направление из медицинской организации", 0, 7, "Направление с согласием на передачу сведений." },
  { "Оценка нуждаемости", 0, 14, "Оценка нуждаемости в социальном сопровождении." },
  { "План сопровождения", 180, 365, "Исполнение плана сопровождения (6–12 месяцев)." },
  { "Межведомственные меры", 0, 0, "Взаимоинформирование с органами и организациями." },
  { "Завершение", 0, 0, "Завершение сопровождения." },
};

static const StageTemplate family_stages[] = {
  { "Первичная консультация", 0, 7, "Первичная консультация родственников." },
  { "Группа для созависимых", 30, 180, "Занятия группы для созависимых родственников." },
  { "Семейные сессии", 30, 180, "Семейные сессии с участием реабилитанта." },
  { "Проверка положения несовершеннолетних", 0, 30, "Оценка положения детей в семье." },
  { "Информирование КДН и ЗП", 0, 0, "Информирование комиссии по делам несовершеннолетних при необходимости." },
};

static const ProgramTemplate templates[] = {
  { "Стационарная программа (12 шагов / терапевтическое сообщество), 6–12 месяцев",
    STP_PROGRAM_MODEL_TWELVE_STEP,
    "Стационарная реабилитация с ресоциализацией и постреабилитационным сопровождением.",
    residential_stages, G_N_ELEMENTS (residential_stages) },
  { "Курс по сертификату (до 180 дней)",
    STP_PROGRAM_MODEL_OTHER,
    "Сертификат на реабилитацию: курс социальной реабилитации и постреабилитационный период.",
    certificate_stages, G_N_ELEMENTS (certificate_stages) },
  { "Социальное сопровождение после медицинской реабилитации",
    STP_PROGRAM_MODEL_OTHER,
    "Сопровождение по направлению медицинской организации.",
    accompaniment_stages, G_N_ELEMENTS (accompaniment_stages) },
  { "Семейная программа",
    STP_PROGRAM_MODEL_OTHER,
    "Работа с семьёй и созависимыми родственниками.",
    family_stages, G_N_ELEMENTS (family_stages) },
};

gboolean
stp_store_create_default_programs (StpStore    *self,
                                   StpSession  *session,
                                   GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;

  for (guint t = 0; t < G_N_ELEMENTS (templates); t++)
    {
      g_autoptr(StpProgram) program = stp_program_new ();

      program->name = g_strdup (templates[t].name);
      program->model = templates[t].model;
      program->description = g_strdup (templates[t].description);
      program->active = TRUE;
      if (!stp_store_save_unchecked (self, session, STP_KIND_PROGRAM, program, error))
        return FALSE;
      for (guint s = 0; s < templates[t].n_stages; s++)
        {
          g_autoptr(StpStage) stage = stp_stage_new ();
          const StageTemplate *st = &templates[t].stages[s];

          stage->program_id = g_strdup (program->meta.id);
          stage->position = (int) s;
          stage->name = g_strdup (st->name);
          stage->planned_days_min = st->days_min;
          stage->planned_days_max = st->days_max;
          stage->description = g_strdup (st->description);
          stage->kind = stp_stage_kind_for_template_name (st->name);
          if (!stp_store_save_unchecked (self, session, STP_KIND_STAGE, stage, error))
            return FALSE;
        }
    }
  return stp_store_transaction_commit (&tx, error);
}

/* --- Stages -------------------------------------------------------------- */

static int
compare_stage_position (gconstpointer a,
                        gconstpointer b)
{
  const StpStage *sa = *(StpStage *const *) a;
  const StpStage *sb = *(StpStage *const *) b;

  return sa->position - sb->position;
}

GPtrArray *
stp_store_list_stages (StpStore    *self,
                       StpSession  *session,
                       const char  *program_id,
                       GError     **error)
{
  GPtrArray *stages;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  if (!stp_session_require (session, STP_PERMISSION_LIST, error))
    return NULL;
  stages = stp_store_load_records (self, STP_KIND_STAGE, "program_id", program_id, error);
  if (stages != NULL)
    g_ptr_array_sort (stages, compare_stage_position);
  return stages;
}

gboolean
stp_store_remove_stage (StpStore    *self,
                        StpSession  *session,
                        const char  *stage_id,
                        gboolean    *out_retired,
                        GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean has_entries;
  gboolean ok;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (stage_id != NULL, FALSE);

  if (out_retired != NULL)
    *out_retired = FALSE;
  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return FALSE;

  stmt = stp_store_prepare (self, "SELECT 1 FROM stage_entries WHERE stage_id = ?1 LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, stage_id, -1, SQLITE_STATIC);
  has_entries = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  if (!has_entries)
    return stp_store_delete (self, session, STP_KIND_STAGE, stage_id, error);

  /* The history of residents refers to it: keep it, out of use. */
  {
    g_autoptr(StpStage) stage = stp_store_load_record (self, STP_KIND_STAGE, stage_id, error);
    if (stage == NULL)
      return FALSE;
    stage->retired = TRUE;
    ok = stp_store_save_unchecked (self, session, STP_KIND_STAGE, stage, error);
  }
  if (ok && out_retired != NULL)
    *out_retired = TRUE;
  return ok;
}

/* The first active stage of @program_id after @after_position (-1: from
 * the start), or NULL. */
static StpStage *
find_next_stage (StpStore   *self,
                 const char *program_id,
                 int         after_position)
{
  g_autoptr(GPtrArray) stages = stp_store_load_records (self, STP_KIND_STAGE, "program_id",
                                                        program_id, NULL);
  StpStage *best = NULL;

  if (stages == NULL)
    return NULL;
  for (guint i = 0; i < stages->len; i++)
    {
      StpStage *stage = stages->pdata[i];
      if (stage->retired || stage->position <= after_position)
        continue;
      if (best == NULL || stage->position < best->position)
        best = stage;
    }
  return best != NULL ? stp_stage_copy (best) : NULL;
}

static StpStageEntry *
current_entry (StpStore   *self,
               const char *episode_id,
               GError    **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *id = NULL;

  stmt = stp_store_prepare (self,
                            "SELECT id FROM stage_entries WHERE episode_id = ?1 AND deleted = 0 "
                            "AND ended_on IS NULL ORDER BY started_on DESC, created_at DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, episode_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (id == NULL)
    return NULL;
  return stp_store_load_record (self, STP_KIND_STAGE_ENTRY, id, error);
}

StpStageEntry *
stp_store_get_current_stage_entry (StpStore    *self,
                                   StpSession  *session,
                                   const char  *episode_id,
                                   GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (episode_id != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;
  return current_entry (self, episode_id, error);
}

static gboolean
open_entry (StpStore    *self,
            StpSession  *session,
            const char  *episode_id,
            const char  *stage_id,
            const char  *date,
            GError     **error)
{
  g_autoptr(StpStageEntry) entry = stp_stage_entry_new ();

  entry->episode_id = g_strdup (episode_id);
  entry->stage_id = g_strdup (stage_id);
  entry->started_on = g_strdup (date);
  entry->result = STP_STAGE_RESULT_NONE;
  entry->staff_user_id = g_strdup (stp_session_get_user_id (session));
  return stp_store_save_unchecked (self, session, STP_KIND_STAGE_ENTRY, entry, error);
}

static gboolean
close_entry (StpStore       *self,
             StpSession     *session,
             StpStageEntry  *entry,
             const char     *date,
             StpStageResult  result,
             const char     *note,
             GError        **error)
{
  g_free (entry->ended_on);
  entry->ended_on = g_strdup (date);
  entry->result = result;
  if (note != NULL && *note != '\0')
    {
      g_free (entry->note);
      entry->note = g_strdup (note);
    }
  return stp_store_save_unchecked (self, session, STP_KIND_STAGE_ENTRY, entry, error);
}

static gboolean
check_date (const char  *date,
            const char  *field,
            GError     **error)
{
  if (!stp_date_is_valid (date))
    {
      stp_set_field_error (error, field, _("The date is not valid."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
episode_is_open (const StpEpisode *episode)
{
  return episode->status == STP_EPISODE_INTAKE || episode->status == STP_EPISODE_IN_PROGRAM;
}

gboolean
stp_store_admit (StpStore    *self,
                 StpSession  *session,
                 StpEpisode  *episode,
                 GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autoptr(StpStage) first = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (episode != NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_INTAKE, error))
    return FALSE;
  if (episode->meta.id != NULL)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                           _("This episode has already been saved."));
      return FALSE;
    }
  episode->status = STP_EPISODE_IN_PROGRAM;
  g_clear_pointer (&episode->discharged_on, g_free);
  if (episode->responsible_user_id == NULL && !stp_session_is_system (session) &&
      stp_session_get_role (session) != STP_ROLE_VOLUNTEER)
    episode->responsible_user_id = g_strdup (stp_session_get_user_id (session));

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;
  if (!stp_store_save_unchecked (self, session, STP_KIND_EPISODE, episode, error))
    return FALSE;
  first = find_next_stage (self, episode->program_id, -1);
  if (first != NULL &&
      !open_entry (self, session, episode->meta.id, first->meta.id, episode->admitted_on, error))
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

/* Loads the open episode and its current entry for a stage move. */
static gboolean
load_for_move (StpStore        *self,
               StpSession      *session,
               const char      *episode_id,
               const char      *date,
               StpEpisode     **out_episode,
               StpStageEntry  **out_entry,
               StpStage       **out_stage,
               GError         **error)
{
  g_autoptr(StpEpisode) episode = NULL;
  g_autoptr(StpStageEntry) entry = NULL;
  g_autoptr(StpStage) stage = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!stp_session_require (session, STP_PERMISSION_EDIT_CARE, error))
    return FALSE;
  if (!check_date (date, "date", error))
    return FALSE;
  episode = stp_store_load_record (self, STP_KIND_EPISODE, episode_id, error);
  if (episode == NULL)
    return FALSE;
  if (episode->meta.deleted || !episode_is_open (episode))
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                           _("The resident is no longer in the program."));
      return FALSE;
    }
  entry = current_entry (self, episode_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (entry != NULL)
    {
      if (strcmp (date, entry->started_on) < 0)
        {
          stp_set_field_error (error, "date",
                               _("The date is before the start of the current stage (%s)."),
                               entry->started_on);
          return FALSE;
        }
      stage = stp_store_load_record (self, STP_KIND_STAGE, entry->stage_id, NULL);
    }
  *out_episode = g_steal_pointer (&episode);
  *out_entry = g_steal_pointer (&entry);
  if (out_stage != NULL)
    *out_stage = g_steal_pointer (&stage);
  return TRUE;
}

gboolean
stp_store_next_stage (StpStore    *self,
                      StpSession  *session,
                      const char  *episode_id,
                      const char  *date,
                      const char  *note,
                      GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autoptr(StpEpisode) episode = NULL;
  g_autoptr(StpStageEntry) entry = NULL;
  g_autoptr(StpStage) stage = NULL;
  g_autoptr(StpStage) next = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (episode_id != NULL, FALSE);

  if (!load_for_move (self, session, episode_id, date, &episode, &entry, &stage, error))
    return FALSE;

  next = find_next_stage (self, episode->program_id, stage != NULL ? stage->position : -1);
  if (next == NULL)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                           _("This is the last stage of the program. Discharge the resident "
                             "as having completed it instead."));
      return FALSE;
    }

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;
  if (entry != NULL &&
      !close_entry (self, session, entry, date, STP_STAGE_RESULT_PASSED, note, error))
    return FALSE;
  if (!open_entry (self, session, episode_id, next->meta.id, date, error))
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

gboolean
stp_store_step_back (StpStore    *self,
                     StpSession  *session,
                     const char  *episode_id,
                     const char  *stage_id,
                     const char  *date,
                     const char  *note,
                     GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autoptr(StpEpisode) episode = NULL;
  g_autoptr(StpStageEntry) entry = NULL;
  g_autoptr(StpStage) stage = NULL;
  g_autoptr(StpStage) target = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (episode_id != NULL, FALSE);
  g_return_val_if_fail (stage_id != NULL, FALSE);

  if (!load_for_move (self, session, episode_id, date, &episode, &entry, &stage, error))
    return FALSE;
  target = stp_store_load_record (self, STP_KIND_STAGE, stage_id, error);
  if (target == NULL)
    return FALSE;
  if (target->meta.deleted || g_strcmp0 (target->program_id, episode->program_id) != 0 ||
      stage == NULL || target->position >= stage->position)
    {
      stp_set_field_error (error, "stage_id",
                           _("Choose an earlier stage of the same program."));
      return FALSE;
    }

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;
  if (!close_entry (self, session, entry, date, STP_STAGE_RESULT_STEPPED_BACK, note, error))
    return FALSE;
  if (!open_entry (self, session, episode_id, target->meta.id, date, error))
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

gboolean
stp_store_discharge (StpStore          *self,
                     StpSession        *session,
                     const char        *episode_id,
                     StpEpisodeStatus   status,
                     const char        *date,
                     const char        *reason,
                     GError           **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autoptr(StpEpisode) episode = NULL;
  g_autoptr(StpStageEntry) entry = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (episode_id != NULL, FALSE);

  if (status == STP_EPISODE_INTAKE || status == STP_EPISODE_IN_PROGRAM ||
      stp_enum_to_code (STP_ENUM_EPISODE_STATUS, status) == NULL)
    {
      stp_set_field_error (error, "status", _("Choose how the resident leaves the program."));
      return FALSE;
    }
  if (!stp_session_require (session, STP_PERMISSION_EDIT_CARE, error))
    return FALSE;
  episode = stp_store_load_record (self, STP_KIND_EPISODE, episode_id, error);
  if (episode == NULL)
    return FALSE;
  if (date != NULL && episode->admitted_on != NULL && strcmp (date, episode->admitted_on) < 0)
    {
      stp_set_field_error (error, "discharged_on",
                           _("The discharge date is before the admission date."));
      return FALSE;
    }
  g_clear_pointer (&episode, stp_episode_free);
  if (!load_for_move (self, session, episode_id, date, &episode, &entry, NULL, error))
    return FALSE;

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;
  if (entry != NULL &&
      !close_entry (self, session, entry, date,
                    status == STP_EPISODE_COMPLETED ? STP_STAGE_RESULT_PASSED : STP_STAGE_RESULT_LEFT,
                    NULL, error))
    return FALSE;

  episode->status = status;
  g_free (episode->discharged_on);
  episode->discharged_on = g_strdup (date);
  g_free (episode->discharge_reason);
  episode->discharge_reason = g_strdup (reason);
  /* Health fields are not touched by a role that may not see them: the
   * save only writes fields that differ, and skips those for such roles. */
  if (!stp_store_save_unchecked (self, session, STP_KIND_EPISODE, episode, error))
    return FALSE;

  if (status != STP_EPISODE_DIED)
    for (guint i = 0; i < G_N_ELEMENTS (follow_up_months); i++)
      {
        g_autoptr(StpFollowUp) follow_up = stp_follow_up_new ();

        follow_up->episode_id = g_strdup (episode_id);
        follow_up->resident_id = g_strdup (episode->resident_id);
        follow_up->months = follow_up_months[i];
        follow_up->due_on = stp_date_add_months (date, follow_up_months[i]);
        follow_up->outcome = STP_FOLLOW_UP_PENDING;
        if (!stp_store_save_unchecked (self, session, STP_KIND_FOLLOW_UP, follow_up, error))
          return FALSE;
      }
  return stp_store_transaction_commit (&tx, error);
}

StpEpisode *
stp_store_get_latest_episode (StpStore    *self,
                              StpSession  *session,
                              const char  *resident_id,
                              GError     **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *id = NULL;
  StpEpisode *episode;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (resident_id != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;
  stmt = stp_store_prepare (self,
                            "SELECT id FROM episodes WHERE resident_id = ?1 AND deleted = 0 "
                            "ORDER BY admitted_on DESC, created_at DESC, id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, resident_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (id == NULL)
    return NULL;
  episode = stp_store_load_record (self, STP_KIND_EPISODE, id, error);
  if (episode != NULL && !stp_session_can (session, STP_PERMISSION_READ_RESTRICTED))
    {
      g_clear_pointer (&episode->other_substances, g_free);
      g_clear_pointer (&episode->prior_treatments, g_free);
      episode->main_substance = STP_SUBSTANCE_NONE;
      episode->years_of_use = 0;
    }
  return episode;
}

/* --- Consents ------------------------------------------------------------ */

static char *
fold_name (const char *text)
{
  g_autofree char *normalized = stp_normalize_text (text);

  return normalized != NULL ? g_steal_pointer (&normalized) : g_strdup ("");
}

StpConsent *
stp_store_find_transfer_consent (StpStore    *self,
                                 StpSession  *session,
                                 const char  *resident_id,
                                 const char  *recipient,
                                 const char  *date,
                                 GError     **error)
{
  g_autoptr(GPtrArray) consents = NULL;
  g_autofree char *wanted = NULL;
  const StpConsent *expired = NULL;
  const StpConsent *withdrawn = NULL;
  const StpConsent *future = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (resident_id != NULL, NULL);
  g_return_val_if_fail (recipient != NULL, NULL);
  g_return_val_if_fail (date != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;

  consents = stp_store_load_records (self, STP_KIND_CONSENT, "resident_id", resident_id, error);
  if (consents == NULL)
    return NULL;
  wanted = fold_name (recipient);

  for (guint i = 0; i < consents->len; i++)
    {
      const StpConsent *c = consents->pdata[i];
      g_autofree char *folded = NULL;

      if (c->kind != STP_CONSENT_TRANSFER || c->recipient == NULL)
        continue;
      folded = fold_name (c->recipient);
      if (g_strcmp0 (folded, wanted) != 0)
        continue;
      if (c->signed_on == NULL || strcmp (c->signed_on, date) > 0)
        {
          future = c;
          continue;
        }
      if (c->withdrawn_on != NULL && strcmp (c->withdrawn_on, date) <= 0)
        {
          withdrawn = c;
          continue;
        }
      if (c->expires_on != NULL && strcmp (c->expires_on, date) < 0)
        {
          expired = c;
          continue;
        }
      return stp_consent_copy (c);
    }

  if (withdrawn != NULL)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT,
                 _("The resident withdrew the consent to transfer data to “%s” on %s. "
                   "The data cannot be sent without a new signed consent."),
                 recipient, withdrawn->withdrawn_on);
  else if (expired != NULL)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT,
                 _("The consent to transfer data to “%s” expired on %s. "
                   "Ask the resident to sign a new one."),
                 recipient, expired->expires_on);
  else if (future != NULL)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT,
                 _("The consent to transfer data to “%s” is signed only from %s."),
                 recipient, future->signed_on);
  else
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT,
                 _("There is no consent of the resident to transfer data to “%s”. "
                   "Add a signed consent naming this recipient first."),
                 recipient);
  return NULL;
}
