#define G_LOG_DOMAIN "stp-store-records"

#include "config.h"

#include "stp-store.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "stp-error.h"
#include "stp-store-private.h"
#include "stp-uuid.h"
#include "stp-validate.h"

#define META_COLUMNS 4

/* "SELECT id, created_at, updated_at, deleted, f1, ... FROM table", made
 * once per kind. */
static const char *
select_prefix (StpRecordKind kind)
{
  static char *prefixes[STP_N_KINDS];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (guint k = 0; k < STP_N_KINDS; k++)
        {
          const StpKindInfo *info = stp_kind_info (k);
          GString *s = g_string_new ("SELECT id, created_at, updated_at, deleted");
          for (guint i = 0; i < info->n_fields; i++)
            g_string_append_printf (s, ", %s", info->fields[i].name);
          g_string_append_printf (s, " FROM %s", info->table);
          prefixes[k] = g_string_free (s, FALSE);
        }
      g_once_init_leave (&initialized, 1);
    }
  return prefixes[kind];
}

static gpointer
record_from_row (StpRecordKind  kind,
                 sqlite3_stmt  *stmt)
{
  const StpKindInfo *info = stp_kind_info (kind);
  gpointer record = g_malloc0 (info->size);
  StpRecordMeta *meta = record;

  meta->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  meta->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  meta->updated_at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  meta->deleted = sqlite3_column_int (stmt, 3) != 0;

  for (guint i = 0; i < info->n_fields; i++)
    {
      const StpFieldInfo *f = &info->fields[i];
      int col = META_COLUMNS + (int) i;
      guint8 *p = (guint8 *) record + f->offset;

      if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
        continue;
      switch (f->type)
        {
        case STP_FIELD_INT:
          *(int *) p = sqlite3_column_int (stmt, col);
          break;
        case STP_FIELD_BOOL:
          *(gboolean *) p = sqlite3_column_int (stmt, col) != 0;
          break;
        default:
          stp_record_set_field_text (f, record, (const char *) sqlite3_column_text (stmt, col));
          break;
        }
    }
  return record;
}

gpointer
stp_store_load_record (StpStore      *self,
                       StpRecordKind  kind,
                       const char    *id,
                       GError       **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gpointer record = NULL;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);

  if (id == NULL)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                           _("The record was not found."));
      return NULL;
    }
  sql = g_strconcat (select_prefix (kind), " WHERE id = ?1", NULL);
  stmt = stp_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = record_from_row (kind, stmt);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                         _("The record was not found. It may have been deleted on another computer."));
  else
    stp_store_set_sqlite_error (self, error);
  sqlite3_reset (stmt);
  return record;
}

#define DEFINE_FREE(k, name) \
  static void free_##name (gpointer r) { stp_record_free (k, r); }
DEFINE_FREE (STP_KIND_CENTER, center)
DEFINE_FREE (STP_KIND_USER, user)
DEFINE_FREE (STP_KIND_PROGRAM, program)
DEFINE_FREE (STP_KIND_STAGE, stage)
DEFINE_FREE (STP_KIND_RESIDENT, resident)
DEFINE_FREE (STP_KIND_EPISODE, episode)
DEFINE_FREE (STP_KIND_STAGE_ENTRY, stage_entry)
DEFINE_FREE (STP_KIND_RELATIVE, relative)
DEFINE_FREE (STP_KIND_CONSENT, consent)
DEFINE_FREE (STP_KIND_JOURNAL_ENTRY, journal_entry)
DEFINE_FREE (STP_KIND_SCREENING, screening)
DEFINE_FREE (STP_KIND_FOLLOW_UP, follow_up)
DEFINE_FREE (STP_KIND_REFERRAL, referral)
DEFINE_FREE (STP_KIND_COURT_OBLIGATION, court_obligation)
DEFINE_FREE (STP_KIND_COURT_NOTICE, court_notice)

static const GDestroyNotify free_funcs[STP_N_KINDS] = {
  free_center, free_user, free_program, free_stage, free_resident, free_episode,
  free_stage_entry, free_relative, free_consent, free_journal_entry, free_screening,
  free_follow_up, free_referral, free_court_obligation, free_court_notice,
};

GPtrArray *
stp_store_load_records (StpStore      *self,
                        StpRecordKind  kind,
                        const char    *field,
                        const char    *value,
                        GError       **error)
{
  const StpKindInfo *info = stp_kind_info (kind);
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (field != NULL && stp_kind_info_find_field (info, field) == NULL)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   "Unknown field %s.%s", info->table, field);
      return NULL;
    }
  if (field != NULL)
    sql = g_strdup_printf ("%s WHERE deleted = 0 AND %s = ?1 ORDER BY %s",
                           select_prefix (kind), field, info->order_by);
  else
    sql = g_strdup_printf ("%s WHERE deleted = 0 ORDER BY %s",
                           select_prefix (kind), info->order_by);
  stmt = stp_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  if (field != NULL)
    sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);

  records = g_ptr_array_new_with_free_func (free_funcs[kind]);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (kind, stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&records);
}

/* --- Permissions --------------------------------------------------------- */

static gboolean
is_admin_kind (StpRecordKind kind)
{
  return kind == STP_KIND_CENTER || kind == STP_KIND_USER ||
         kind == STP_KIND_PROGRAM || kind == STP_KIND_STAGE;
}

static gboolean
require_read (StpSession     *session,
              StpRecordKind   kind,
              GError        **error)
{
  if (is_admin_kind (kind))
    return stp_session_require (session, STP_PERMISSION_LIST, error);
  return stp_session_require (session, STP_PERMISSION_READ_CARD, error);
}

static gboolean
require_write (StpSession     *session,
               StpRecordKind   kind,
               gboolean        is_new,
               GError        **error)
{
  if (is_admin_kind (kind))
    return stp_session_require (session, STP_PERMISSION_ADMIN, error);
  if (is_new && (kind == STP_KIND_RESIDENT || kind == STP_KIND_RELATIVE ||
                 kind == STP_KIND_CONSENT))
    return stp_session_require (session, STP_PERMISSION_INTAKE, error);
  return stp_session_require (session, STP_PERMISSION_EDIT_CARE, error);
}

/* Hides what @session may not see. */
static void
filter_record (StpSession    *session,
               StpRecordKind  kind,
               gpointer       record)
{
  const StpKindInfo *info = stp_kind_info (kind);
  gboolean admin = stp_session_can (session, STP_PERMISSION_ADMIN);
  gboolean restricted = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const StpFieldInfo *f = &info->fields[i];
      if (((f->flags & STP_FIELD_SECRET) && !admin) ||
          ((f->flags & STP_FIELD_HEALTH) && !restricted))
        stp_record_set_field_text (f, record, NULL);
    }
}

static gboolean
is_restricted_entry (StpRecordKind kind,
                     gconstpointer record)
{
  return kind == STP_KIND_JOURNAL_ENTRY && ((const StpJournalEntry *) record)->restricted;
}

/* --- File numbers -------------------------------------------------------- */

static char *
next_file_number (StpStore  *self,
                  GError   **error)
{
  g_autofree char *today = stp_store_today (self);
  g_autofree char *key = g_strdup_printf ("file_counter_%.4s", today);
  g_autofree char *stored = stp_store_get_meta (self, key);
  gint64 counter = stored != NULL ? g_ascii_strtoll (stored, NULL, 10) : 0;
  sqlite3_stmt *stmt;

  for (;;)
    {
      g_autofree char *number = NULL;
      g_autofree char *value = NULL;
      gboolean taken;

      counter++;
      number = g_strdup_printf ("%.4s-%s-%04" G_GINT64_FORMAT, today,
                                stp_store_get_device_code (self), counter);
      /* A file restored from a backup may lag behind the numbers already
       * given: skip taken ones. */
      stmt = stp_store_prepare (self, "SELECT 1 FROM residents WHERE file_number = ?1", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, number, -1, SQLITE_STATIC);
      taken = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
      if (taken)
        continue;
      value = g_strdup_printf ("%" G_GINT64_FORMAT, counter);
      if (!stp_store_set_meta (self, key, value, error))
        return NULL;
      return g_steal_pointer (&number);
    }
}

/* --- Saving -------------------------------------------------------------- */

static gboolean
insert_record (StpStore       *self,
               StpRecordKind   kind,
               gpointer        record,
               GError        **error)
{
  const StpKindInfo *info = stp_kind_info (kind);
  StpRecordMeta *meta = record;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  g_string_append_printf (sql, "INSERT INTO %s (id, created_at, updated_at, deleted", info->table);
  for (guint i = 0; i < info->n_fields; i++)
    g_string_append_printf (sql, ", %s", info->fields[i].name);
  g_string_append (sql, ") VALUES (?1, ?2, ?2, 0");
  for (guint i = 0; i < info->n_fields; i++)
    g_string_append_printf (sql, ", ?%u", i + 3);
  g_string_append (sql, ")");

  stmt = stp_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, meta->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, meta->created_at, -1, SQLITE_STATIC);
  for (guint i = 0; i < info->n_fields; i++)
    {
      char *text = stp_record_get_field_text (&info->fields[i], record);
      g_ptr_array_add (values, text);
      if (text != NULL)
        sqlite3_bind_text (stmt, (int) i + 3, text, -1, SQLITE_STATIC);
    }
  if (!stp_store_step_done (self, stmt, error))
    return FALSE;

  if (!stp_store_record_version (self, info->table, meta->id, "created_at",
                                 meta->created_at, TRUE, error))
    return FALSE;
  for (guint i = 0; i < info->n_fields; i++)
    {
      const char *text = values->pdata[i];
      if (text != NULL &&
          !stp_store_record_version (self, info->table, meta->id, info->fields[i].name,
                                     text, TRUE, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
stp_store_save_unchecked (StpStore       *self,
                          StpSession     *session,
                          StpRecordKind   kind,
                          gpointer        record,
                          GError        **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  const StpKindInfo *info = stp_kind_info (kind);
  StpRecordMeta *meta = record;
  g_autofree char *today = stp_store_today (self);
  gpointer stored = NULL;
  gboolean ok = FALSE;

  stp_record_normalize (kind, record);
  if (!stp_record_validate_at (kind, record, today, error))
    return FALSE;

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;

  if (meta->id != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      stored = stp_store_load_record (self, kind, meta->id, &local_error);
      if (stored == NULL && !g_error_matches (local_error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }
    }

  if (stored == NULL)
    {
      g_autofree char *now = stp_format_moment (stp_store_now (self));

      if (meta->id == NULL)
        meta->id = stp_uuid_new_v7_at (stp_store_now (self));
      g_free (meta->created_at);
      meta->created_at = g_strdup (now);
      g_free (meta->updated_at);
      meta->updated_at = g_strdup (now);
      meta->deleted = FALSE;

      if (kind == STP_KIND_RESIDENT && ((StpResident *) record)->file_number == NULL)
        {
          StpResident *resident = record;
          resident->file_number = next_file_number (self, error);
          if (resident->file_number == NULL)
            goto out;
        }
      if (!insert_record (self, kind, record, error))
        goto out;
      if (!stp_store_audit (self, session, STP_AUDIT_CREATE, info->table, meta->id, NULL, error))
        goto out;
    }
  else
    {
      gboolean restricted = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);
      g_autoptr(GString) changed = g_string_new (NULL);
      StpRecordMeta *stored_meta = stored;

      if (stored_meta->deleted)
        {
          g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                               _("The record has been deleted. Restore it before changing it."));
          goto out;
        }
      for (guint i = 0; i < info->n_fields; i++)
        {
          const StpFieldInfo *f = &info->fields[i];
          g_autofree char *new_text = NULL;
          g_autofree char *old_text = NULL;

          if ((f->flags & STP_FIELD_HEALTH) && !restricted)
            continue;
          new_text = stp_record_get_field_text (f, record);
          if ((f->flags & STP_FIELD_SECRET) && new_text == NULL)
            continue;
          old_text = stp_record_get_field_text (f, stored);
          if (g_strcmp0 (new_text, old_text) == 0)
            continue;
          if (!stp_store_write_field (self, info->table, meta->id, f->name, new_text, error))
            goto out;
          g_string_append_printf (changed, "%s%s", changed->len > 0 ? "," : "", f->name);
        }
      if (changed->len > 0)
        {
          g_free (meta->updated_at);
          meta->updated_at = stp_format_moment (stp_store_now (self));
          if (!stp_store_audit (self, session, STP_AUDIT_UPDATE, info->table, meta->id,
                                changed->str, error))
            goto out;
        }
      g_free (meta->created_at);
      meta->created_at = g_strdup (stored_meta->created_at);
    }

  ok = TRUE;

out:
  if (stored != NULL)
    stp_record_free (kind, stored);
  if (ok)
    return stp_store_transaction_commit (&tx, error);
  return FALSE;
}

gboolean
stp_store_save (StpStore       *self,
                StpSession     *session,
                StpRecordKind   kind,
                gpointer        record,
                GError        **error)
{
  StpRecordMeta *meta = record;
  gboolean is_new = TRUE;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (meta->id != NULL)
    {
      sqlite3_stmt *stmt;
      g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?1",
                                              stp_record_kind_table (kind));
      stmt = stp_store_prepare (self, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, meta->id, -1, SQLITE_STATIC);
      is_new = sqlite3_step (stmt) != SQLITE_ROW;
      sqlite3_reset (stmt);
    }
  if (!require_write (session, kind, is_new, error))
    return FALSE;
  if (is_restricted_entry (kind, record) &&
      !stp_session_require (session, STP_PERMISSION_READ_RESTRICTED, error))
    return FALSE;
  return stp_store_save_unchecked (self, session, kind, record, error);
}

/* Opening a card must stay fast: the view event is committed without
 * waiting for the disk (WAL, synchronous=NORMAL), so a power cut may lose
 * it, but never a crash of the program; the next FULL commit syncs it. */
static gboolean
audit_view (StpStore    *self,
            StpSession  *session,
            const char  *id,
            GError     **error)
{
  gboolean ok;
  gboolean relax = !stp_store_in_transaction (self);

  if (relax)
    sqlite3_exec (stp_store_get_db (self), "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  ok = stp_store_audit (self, session, STP_AUDIT_VIEW, "residents", id, NULL, error);
  if (relax)
    sqlite3_exec (stp_store_get_db (self), "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  return ok;
}

/* A card the session may not open is logged too (who tried, which card);
 * the refusal stands even if the log cannot be written. */
static void
audit_refused (StpStore    *self,
               StpSession  *session,
               const char  *id)
{
  g_autoptr(GError) error = NULL;

  if (!stp_store_audit (self, session, STP_AUDIT_VIEW_REFUSED, "residents", id, NULL, &error))
    g_warning ("Cannot log a refused card: %s", error->message);
}

static gpointer
get_record (StpStore       *self,
            StpSession     *session,
            StpRecordKind   kind,
            const char     *id,
            gboolean        log_view,
            GError        **error)
{
  gpointer record;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);

  if (!require_read (session, kind, error))
    {
      if (kind == STP_KIND_RESIDENT && log_view)
        audit_refused (self, session, id);
      return NULL;
    }
  record = stp_store_load_record (self, kind, id, error);
  if (record == NULL)
    return NULL;
  if (((StpRecordMeta *) record)->deleted)
    {
      stp_record_free (kind, record);
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                           _("The record has been deleted."));
      return NULL;
    }
  if (is_restricted_entry (kind, record) &&
      !stp_session_require (session, STP_PERMISSION_READ_RESTRICTED, error))
    {
      stp_record_free (kind, record);
      return NULL;
    }
  filter_record (session, kind, record);
  if (kind == STP_KIND_RESIDENT && log_view && !audit_view (self, session, id, error))
    {
      stp_record_free (kind, record);
      return NULL;
    }
  return record;
}

gpointer
stp_store_get (StpStore       *self,
               StpSession     *session,
               StpRecordKind   kind,
               const char     *id,
               GError        **error)
{
  return get_record (self, session, kind, id, TRUE, error);
}

StpResident *
stp_store_reread_resident (StpStore    *self,
                           StpSession  *session,
                           const char  *id,
                           GError     **error)
{
  return get_record (self, session, STP_KIND_RESIDENT, id, FALSE, error);
}

static gboolean
set_deleted (StpStore       *self,
             StpSession     *session,
             StpRecordKind   kind,
             const char     *id,
             gboolean        deleted,
             GError        **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  gpointer record;
  gboolean ok;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!require_write (session, kind, FALSE, error))
    return FALSE;
  record = stp_store_load_record (self, kind, id, error);
  if (record == NULL)
    return FALSE;
  if (is_restricted_entry (kind, record) &&
      !stp_session_require (session, STP_PERMISSION_READ_RESTRICTED, error))
    {
      stp_record_free (kind, record);
      return FALSE;
    }
  if (((StpRecordMeta *) record)->deleted == deleted)
    {
      stp_record_free (kind, record);
      return TRUE;
    }
  stp_record_free (kind, record);

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;
  ok = stp_store_write_field (self, stp_record_kind_table (kind), id, "deleted",
                              deleted ? "1" : "0", error) &&
       stp_store_audit (self, session, deleted ? STP_AUDIT_DELETE : STP_AUDIT_UPDATE,
                        stp_record_kind_table (kind), id, deleted ? NULL : "undelete", error);
  if (!ok)
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

gboolean
stp_store_delete (StpStore       *self,
                  StpSession     *session,
                  StpRecordKind   kind,
                  const char     *id,
                  GError        **error)
{
  return set_deleted (self, session, kind, id, TRUE, error);
}

gboolean
stp_store_undelete (StpStore       *self,
                    StpSession     *session,
                    StpRecordKind   kind,
                    const char     *id,
                    GError        **error)
{
  return set_deleted (self, session, kind, id, FALSE, error);
}

GPtrArray *
stp_store_list (StpStore       *self,
                StpSession     *session,
                StpRecordKind   kind,
                const char     *parent_field,
                const char     *parent_id,
                GError        **error)
{
  GPtrArray *records;
  gboolean restricted;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);

  if (!require_read (session, kind, error))
    return NULL;
  records = stp_store_load_records (self, kind, parent_field, parent_id, error);
  if (records == NULL)
    return NULL;

  restricted = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);
  for (guint i = records->len; i > 0; i--)
    {
      gpointer record = records->pdata[i - 1];
      if (!restricted && is_restricted_entry (kind, record))
        g_ptr_array_remove_index (records, i - 1);
      else
        filter_record (session, kind, record);
    }
  return records;
}

#define DEFINE_STORE_RECORD(TypeName, func_name, KIND)                         \
  TypeName *                                                                   \
  stp_store_get_##func_name (StpStore   *self,                                 \
                             StpSession *session,                              \
                             const char *id,                                   \
                             GError    **error)                                \
  {                                                                            \
    return stp_store_get (self, session, KIND, id, error);                     \
  }                                                                            \
  gboolean                                                                     \
  stp_store_save_##func_name (StpStore   *self,                                \
                              StpSession *session,                             \
                              TypeName   *record,                              \
                              GError    **error)                               \
  {                                                                            \
    return stp_store_save (self, session, KIND, record, error);                \
  }

DEFINE_STORE_RECORD (StpCenter, center_record, STP_KIND_CENTER)
DEFINE_STORE_RECORD (StpUser, user, STP_KIND_USER)
DEFINE_STORE_RECORD (StpProgram, program, STP_KIND_PROGRAM)
DEFINE_STORE_RECORD (StpStage, stage, STP_KIND_STAGE)
DEFINE_STORE_RECORD (StpResident, resident, STP_KIND_RESIDENT)
DEFINE_STORE_RECORD (StpEpisode, episode, STP_KIND_EPISODE)
DEFINE_STORE_RECORD (StpStageEntry, stage_entry, STP_KIND_STAGE_ENTRY)
DEFINE_STORE_RECORD (StpRelative, relative, STP_KIND_RELATIVE)
DEFINE_STORE_RECORD (StpConsent, consent, STP_KIND_CONSENT)
DEFINE_STORE_RECORD (StpJournalEntry, journal_entry, STP_KIND_JOURNAL_ENTRY)
DEFINE_STORE_RECORD (StpScreening, screening, STP_KIND_SCREENING)
DEFINE_STORE_RECORD (StpFollowUp, follow_up, STP_KIND_FOLLOW_UP)
DEFINE_STORE_RECORD (StpReferral, referral, STP_KIND_REFERRAL)
DEFINE_STORE_RECORD (StpCourtObligation, court_obligation, STP_KIND_COURT_OBLIGATION)
DEFINE_STORE_RECORD (StpCourtNotice, court_notice, STP_KIND_COURT_NOTICE)
