/* stp-store-private.h: what the files of src/core share about StpStore.
 * Not for other layers. */
#pragma once

#include <sqlite3.h>

#include "stp-store.h"
#include "stp-hlc.h"
#include "stp-change.h"

G_BEGIN_DECLS

/* The lock file held for a store's lifetime (stp-store-lock.c). */
typedef struct _StpStoreLock StpStoreLock;

StpStoreLock *stp_store_lock_acquire (const char    *db_path,
                                      GError       **error);
StpStoreLock *stp_store_lock_ref     (StpStoreLock  *lock);
void          stp_store_lock_unref   (StpStoreLock  *lock);
/* The file was found good at open: at the release of the last reference a
 * clean-close marker is written (stp_store_write_clean_marker) unless the
 * lock was marked damaged meanwhile (a failed check, a SQLITE_CORRUPT). */
void          stp_store_lock_set_clean    (StpStoreLock  *lock);
void          stp_store_lock_mark_damaged (StpStoreLock  *lock);
gboolean      stp_store_lock_is_damaged   (StpStoreLock  *lock);
/* PATH.clean: the size, modification time and inode of @db_path as this
 * program left it after a clean close (stp-store-open.c). */
void          stp_store_write_clean_marker (const char   *db_path);

struct _StpStore
{
  GObject        parent_instance;

  char          *path;
  sqlite3       *db;
  StpStoreLock  *lock;
  GHashTable    *statements;   /* SQL text -> sqlite3_stmt */
  int            depth;
  StpHlc         hlc;
  guint64        hlc_saved;
  char          *device_id;
  char          *device_code;
  StpClockFunc   clock;
  gpointer       clock_data;

  /* The full check of a big file runs beside the start-up; the first
   * commit waits for it and is refused if it failed. */
  GThread       *check_thread;
  GError        *check_error;
  gboolean       check_failed;
  /* TRUE for the check started at open (the commits wait for it); FALSE
   * for one asked for later (stp_store_start_check). */
  gboolean       check_blocks_commits;
  gint           check_state;          /* StpStoreCheckState, atomic */
  gint           check_tid;            /* Linux: the check thread's id, atomic; 0 */
  /* The clean-close marker vouched for the file: no full check at open. */
  gboolean       full_check_skipped;
};

/* Raises the clock to the value stored in meta (another connection may
 * have moved it). */
void       stp_store_load_hlc         (StpStore     *self);

/* StpFieldType (the kind of value of a field) is in stp-types.h. */

typedef enum
{
  STP_FIELD_REQUIRED   = 1 << 0,
  STP_FIELD_HEALTH     = 1 << 1,  /* only roles with READ_RESTRICTED see it */
  STP_FIELD_SECRET     = 1 << 2,  /* never shown (password hash) */
} StpFieldFlags;

typedef struct
{
  const char    *name;       /* column and wire name */
  StpFieldType   type;
  gsize          offset;     /* in the record struct */
  StpEnumType    enum_type;  /* for STP_FIELD_ENUM */
  StpFieldFlags  flags;
  const char    *label;      /* untranslated, for error messages */
} StpFieldInfo;

typedef struct
{
  StpRecordKind        kind;
  const char          *table;
  gsize                size;          /* sizeof the struct */
  const StpFieldInfo  *fields;        /* without the meta fields */
  guint                n_fields;
  const char          *order_by;      /* natural order for lists */
} StpKindInfo;

const StpKindInfo  *stp_kind_info             (StpRecordKind  kind);
const StpKindInfo  *stp_kind_info_for_table   (const char    *table);
const StpFieldInfo *stp_kind_info_find_field  (const StpKindInfo *info,
                                               const char        *field);

/* The connection; only for src/core files. */
sqlite3   *stp_store_get_db           (StpStore     *self);
/* Nested-safe transactions (savepoints inside an open one).  Prefer the
 * guard below, which cannot forget the rollback. */
gboolean   stp_store_begin            (StpStore     *self,
                                       GError      **error);
gboolean   stp_store_commit           (StpStore     *self,
                                       GError      **error);
void       stp_store_rollback         (StpStore     *self);

/* A transaction that rolls back when its scope ends without a commit:
 *
 *   g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
 *
 *   if (!stp_store_transaction_begin (&tx, self, error))
 *     return FALSE;
 *   if (!write_this (self, error) || !write_that (self, error))
 *     return FALSE;                    (rolled back here)
 *   return stp_store_transaction_commit (&tx, error);
 */
typedef struct
{
  StpStore *store;   /* NULL once committed or rolled back */
  int       depth;   /* the store's depth inside this transaction */
} StpStoreTransaction;

#define STP_STORE_TRANSACTION_INIT { NULL, 0 }

gboolean   stp_store_transaction_begin  (StpStoreTransaction *tx,
                                         StpStore            *store,
                                         GError             **error);
/* Commits (releases a savepoint); on failure the transaction is rolled
 * back when the scope ends. */
gboolean   stp_store_transaction_commit (StpStoreTransaction *tx,
                                         GError             **error);
/* Rolls back unless committed; the cleanup of g_auto(). */
void       stp_store_transaction_end    (StpStoreTransaction *tx);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StpStoreTransaction, stp_store_transaction_end)
/* Runs SQL text with no parameters (schema, pragmas). */
gboolean   stp_store_exec             (StpStore     *self,
                                       const char   *sql,
                                       GError      **error);
/* A cached prepared statement (reset, bindings cleared). */
sqlite3_stmt *stp_store_prepare       (StpStore     *self,
                                       const char   *sql,
                                       GError      **error);
/* The first column of the first row of @sql, or @fallback on an error,
 * no row or NULL (cached statement; no parameters). */
gint64     stp_store_query_int        (StpStore     *self,
                                       const char   *sql,
                                       gint64        fallback);
/* The same as text, or NULL. */
char      *stp_store_query_text       (StpStore     *self,
                                       const char   *sql);
/* A store object on a file that is no center's database in use (a
 * snapshot being made or installed): the SQL helpers and functions, no
 * lock, no checks, no migrations, no identity. */
StpStore  *stp_store_open_scratch     (const char   *path,
                                       GError      **error);
/* Sets @error from the connection's last error. */
void       stp_store_set_sqlite_error (StpStore     *self,
                                       GError      **error);

/* A new HLC value from this device's clock (persisted in meta). */
guint64    stp_store_tick_hlc         (StpStore     *self);
void       stp_store_observe_hlc      (StpStore     *self,
                                       guint64       remote);

/* Writes one field of a synced row as a local change inside an open
 * transaction: the column, its field_versions row, updated_at and an outbox
 * row.  @value is the text form (NULL for SQL NULL).  Inserts the row first
 * when it does not exist. */
gboolean   stp_store_write_field      (StpStore     *self,
                                       const char   *table,
                                       const char   *row_id,
                                       const char   *field,
                                       const char   *value,
                                       GError      **error);

/* Text form of a field of @record, as stored and synced (NULL for NULL). */
char      *stp_record_get_field_text  (const StpFieldInfo *field,
                                       gconstpointer       record);
/* Sets a field of @record from its text form (NULL clears). */
void       stp_record_set_field_text  (const StpFieldInfo *field,
                                       gpointer            record,
                                       const char         *text);

/* ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" for @usec since the epoch. */
char      *stp_format_moment          (gint64        usec);

/* --- Additions for the files of src/core ------------------------------- */

/* Local bookkeeping values of the meta table (NULL when unset). */
char      *stp_store_get_meta         (StpStore     *self,
                                       const char   *key);
gboolean   stp_store_set_meta         (StpStore     *self,
                                       const char   *key,
                                       const char   *value,
                                       GError      **error);
/* Registers stp_norm() and stp_phonetic() on @db. */
void       stp_store_register_functions (sqlite3    *db);

/* The stored row (tombstoned ones included) without permission checks;
 * STP_CORE_ERROR_NOT_FOUND when missing. */
gpointer   stp_store_load_record      (StpStore      *self,
                                       StpRecordKind  kind,
                                       const char    *id,
                                       GError       **error);
/* Rows of @kind, not deleted, where @field = @value (all when @field is
 * NULL), in natural order; no permission checks. */
GPtrArray *stp_store_load_records     (StpStore      *self,
                                       StpRecordKind  kind,
                                       const char    *field,
                                       const char    *value,
                                       GError       **error);
/* Validates and writes @record like stp_store_save() without the permission
 * check (the caller has checked); writes the audit event. */
gboolean   stp_store_save_unchecked   (StpStore      *self,
                                       StpSession    *session,
                                       StpRecordKind  kind,
                                       gpointer       record,
                                       GError       **error);
/* Appends an audit event by @login (NULL: the system). */
gboolean   stp_store_audit_login      (StpStore      *self,
                                       const char    *login,
                                       StpAuditAction action,
                                       const char    *entity,
                                       const char    *entity_id,
                                       const char    *detail,
                                       GError       **error);
/* Runs a cached statement to completion and resets it. */
gboolean   stp_store_step_done        (StpStore      *self,
                                       sqlite3_stmt  *stmt,
                                       GError       **error);
/* Makes the four default program templates (in one transaction). */
gboolean   stp_store_create_default_programs (StpStore   *self,
                                              StpSession *session,
                                              GError    **error);

/* The field_versions row and the outbox change of one field write whose
 * column is already set (@new_row: no earlier version to look up). */
gboolean   stp_store_record_version   (StpStore      *self,
                                       const char    *table,
                                       const char    *row_id,
                                       const char    *field,
                                       const char    *value,
                                       gboolean       new_row,
                                       GError       **error);

/* Waits for the background check of a big file started by
 * stp_store_open(); FALSE (STP_CORE_ERROR_CORRUPT) when it failed. */
gboolean   stp_store_wait_for_check   (StpStore      *self,
                                       GError       **error);

/* TRUE inside stp_store_begin() ... commit/rollback. */
gboolean   stp_store_in_transaction   (StpStore      *self);

G_END_DECLS
