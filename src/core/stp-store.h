/* stp-store.h: the center's local database and every operation on it.
 *
 * One SQLite file per center.  All reads and writes of resident data go
 * through these functions, which take the acting session and check its role.
 * Functions are synchronous; call them from one thread per StpStore (open a
 * second StpStore with stp_store_open_secondary() for a worker thread).
 */
#pragma once

#include <gio/gio.h>

#include "stp-types.h"
#include "stp-records.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_STORE (stp_store_get_type ())

G_DECLARE_FINAL_TYPE (StpStore, stp_store, STP, STORE, GObject)

/* The schema version this program writes. */
#define STP_SCHEMA_VERSION 8

/* --- Opening ------------------------------------------------------------ */

/* $STUPENI_DATABASE, or g_get_user_data_dir()/stupeni/center.db. */
char       *stp_store_default_path     (void);
/* Opens or creates @path: WAL, foreign keys, synchronous=FULL, quick_check
 * (skipped after a clean close by this program, see ARCHITECTURE.md), a lock so that no second process opens the same file, migrations (each in
 * one transaction, after copying the file to PATH.vN.bak).  A corrupt file
 * (STP_CORE_ERROR_CORRUPT), one from a newer version (STP_CORE_ERROR_TOO_NEW)
 * or a locked one (STP_CORE_ERROR_LOCKED) is refused and never written. */
StpStore   *stp_store_open             (const char   *path,
                                        GError      **error);
/* Whether @path is a database of an older schema, which stp_store_open()
 * would check in full, copy and migrate before returning (a minute on a
 * big center): reads only the file's header and schema.  FALSE for a
 * missing, empty or unreadable file. */
gboolean    stp_store_needs_upgrade    (const char   *path);
/* Another connection to the same file for a worker thread; shares the lock. */
StpStore   *stp_store_open_secondary   (StpStore     *primary,
                                        GError      **error);
/* While @cancellable (may be NULL: none) is set, a statement of this
 * connection stops soon after it is cancelled (SQLITE_INTERRUPT, the call
 * fails).  For a worker's own connection: a search a newer one replaced
 * stops rather than keeping the worker busy. */
void        stp_store_set_cancellable  (StpStore     *self,
                                        GCancellable *cancellable);
/* Checks a file without opening it for writing: quick_check + version. */
gboolean    stp_store_check_file       (const char   *path,
                                        int          *out_schema_version,
                                        GError      **error);
/* The full check of the file: the one started at open of a big file not
 * closed cleanly, or one asked for with stp_store_start_check(). */
typedef enum
{
  STP_STORE_CHECK_NONE = 0,   /* none ran (small file, or closed cleanly) */
  STP_STORE_CHECK_RUNNING,
  STP_STORE_CHECK_OK,
  STP_STORE_CHECK_FAILED,     /* every write is refused from then on */
} StpStoreCheckState;

StpStoreCheckState stp_store_get_check_state (StpStore *self);
/* Starts the full check of the open file on a thread; the writes go on
 * meanwhile and are refused once damage is found.  FALSE when one runs. */
gboolean    stp_store_start_check      (StpStore     *self);
/* How much of the file the running check has read, 0..1, or -1 when not
 * known (no check running, or not on Linux: show a pulse then). */
double      stp_store_get_check_fraction (StpStore   *self);
/* FALSE with the error once the last check has failed. */
gboolean    stp_store_get_check_result (StpStore     *self,
                                        GError      **error);
const char *stp_store_get_path         (StpStore     *self);
/* This device's id (UUID, made at creation) and short code used in file
 * numbers (two letters/digits; "00" until enrollment or set). */
const char *stp_store_get_device_id    (StpStore     *self);
const char *stp_store_get_device_code  (StpStore     *self);
gboolean    stp_store_set_device_code  (StpStore     *self,
                                        const char   *code,
                                        GError      **error);
/* For tests: replaces the wall clock (microseconds since the epoch, UTC). */
typedef gint64 (*StpClockFunc) (gpointer user_data);
void        stp_store_set_clock        (StpStore     *self,
                                        StpClockFunc  func,
                                        gpointer      user_data);
gint64      stp_store_now              (StpStore     *self);
/* Today's date in local time, "YYYY-MM-DD", from the store's clock. */
char       *stp_store_today            (StpStore     *self);

/* Local settings (not synced): key/value text. */
char       *stp_store_get_setting      (StpStore     *self,
                                        const char   *key);
gboolean    stp_store_set_setting      (StpStore     *self,
                                        const char   *key,
                                        const char   *value,
                                        GError      **error);

/* --- Center and users ---------------------------------------------------- */

/* TRUE when the file holds no center yet (first run). */
gboolean    stp_store_is_empty         (StpStore     *self);
/* First run: creates the center, the director's account and the four
 * default program templates (in Russian).  Returns the director's session. */
StpSession *stp_store_create_center    (StpStore     *self,
                                        const StpCenter *center,
                                        const char   *director_login,
                                        const char   *director_full_name,
                                        const char   *director_password,
                                        GError      **error);
StpCenter  *stp_store_get_center       (StpStore     *self,
                                        GError      **error);
/* Active users for the login list (login, full name, role; no hashes). */
GPtrArray  *stp_store_list_login_users (StpStore     *self,
                                        GError      **error);
/* Checks the password (argon2id).  After failures the login is refused for a
 * growing delay (STP_CORE_ERROR_THROTTLED, message says how long).  Writes
 * audit events "login" / "login failed". */
StpSession *stp_store_login            (StpStore     *self,
                                        const char   *login,
                                        const char   *password,
                                        GError      **error);
/* The same, with the password's check (argon2id: some 200 ms of CPU, more
 * on an old computer) on a thread; the database is read before and
 * written (failures, audit) in _finish, both on the caller's thread.
 * Call _finish from @callback. */
void        stp_store_login_async      (StpStore            *self,
                                        const char          *login,
                                        const char          *password,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
StpSession *stp_store_login_finish     (StpStore     *self,
                                        GAsyncResult *result,
                                        GError      **error);
/* Re-checks @session's own password (unlocking an idle-locked window). */
gboolean    stp_store_verify_password  (StpStore     *self,
                                        StpSession   *session,
                                        const char   *password,
                                        GError      **error);
/* The same with the hash check on a thread (as stp_store_login_async). */
void        stp_store_verify_password_async  (StpStore            *self,
                                              StpSession          *session,
                                              const char          *password,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    stp_store_verify_password_finish (StpStore            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Director only.  @password may be NULL to keep the current one. */
gboolean    stp_store_save_user_with_password (StpStore   *self,
                                               StpSession *session,
                                               StpUser    *user,
                                               const char *password,
                                               GError    **error);

/* --- Records: generic and typed forms ----------------------------------- */

/* Returns a new record or NULL (STP_CORE_ERROR_NOT_FOUND / PERMISSION).
 * Opening a resident (STP_KIND_RESIDENT) writes a "view" audit event. */
gpointer    stp_store_get              (StpStore      *self,
                                        StpSession    *session,
                                        StpRecordKind  kind,
                                        const char    *id,
                                        GError       **error);
/* Inserts (meta.id == NULL: assigns id, created_at) or updates the fields
 * that differ from the stored row.  Validates first (STP_CORE_ERROR_INVALID
 * naming the field); writes each changed field's HLC version and an outbox
 * change in the same transaction; nothing is half-saved. */
gboolean    stp_store_save             (StpStore      *self,
                                        StpSession    *session,
                                        StpRecordKind  kind,
                                        gpointer       record,
                                        GError       **error);
/* Sets the tombstone (deleted = TRUE); rows are never removed. */
gboolean    stp_store_delete           (StpStore      *self,
                                        StpSession    *session,
                                        StpRecordKind  kind,
                                        const char    *id,
                                        GError       **error);
/* Clears the tombstone (Undo right after a delete). */
gboolean    stp_store_undelete         (StpStore      *self,
                                        StpSession    *session,
                                        StpRecordKind  kind,
                                        const char    *id,
                                        GError       **error);
/* Records of @kind whose @parent_field equals @parent_id (e.g.
 * "resident_id"), or all when @parent_field is NULL; not deleted; in a
 * natural order (dates, position).  Element free func is set. */
GPtrArray  *stp_store_list             (StpStore      *self,
                                        StpSession    *session,
                                        StpRecordKind  kind,
                                        const char    *parent_field,
                                        const char    *parent_id,
                                        GError       **error);
/* Validation alone (no session needed), for forms. */
gboolean    stp_record_validate        (StpRecordKind  kind,
                                        gconstpointer  record,
                                        GError       **error);

#define STP_DECLARE_STORE_RECORD(TypeName, func_name)                         \
  TypeName  *stp_store_get_##func_name  (StpStore *self, StpSession *session,  \
                                         const char *id, GError **error);     \
  gboolean   stp_store_save_##func_name (StpStore *self, StpSession *session,  \
                                         TypeName *record, GError **error)

STP_DECLARE_STORE_RECORD (StpCenter,          center_record);
STP_DECLARE_STORE_RECORD (StpUser,            user);
STP_DECLARE_STORE_RECORD (StpProgram,         program);
STP_DECLARE_STORE_RECORD (StpStage,           stage);
STP_DECLARE_STORE_RECORD (StpResident,        resident);
STP_DECLARE_STORE_RECORD (StpEpisode,         episode);
STP_DECLARE_STORE_RECORD (StpStageEntry,      stage_entry);
STP_DECLARE_STORE_RECORD (StpRelative,        relative);
STP_DECLARE_STORE_RECORD (StpConsent,         consent);
STP_DECLARE_STORE_RECORD (StpJournalEntry,    journal_entry);
STP_DECLARE_STORE_RECORD (StpScreening,       screening);
STP_DECLARE_STORE_RECORD (StpFollowUp,        follow_up);
STP_DECLARE_STORE_RECORD (StpReferral,        referral);
STP_DECLARE_STORE_RECORD (StpCourtObligation, court_obligation);
STP_DECLARE_STORE_RECORD (StpCourtNotice,     court_notice);

/* The resident again for a card already open: the same checks as
 * stp_store_get_resident(), but no second "view" in the access log (one
 * view per opening, not per refresh). */
StpResident *stp_store_reread_resident (StpStore    *self,
                                        StpSession  *session,
                                        const char  *id,
                                        GError     **error);

/* --- The program: episodes and stages ----------------------------------- */

/* Saves a new episode (status "in program") and opens its first stage
 * entry (the program's first active stage) on @episode->admitted_on. */
gboolean    stp_store_admit            (StpStore      *self,
                                        StpSession    *session,
                                        StpEpisode    *episode,
                                        GError       **error);
/* The open stage entry of an episode, or NULL (no error) when none. */
StpStageEntry *stp_store_get_current_stage_entry (StpStore   *self,
                                                  StpSession *session,
                                                  const char *episode_id,
                                                  GError    **error);
/* Closes the current stage as passed on @date and opens the next stage. */
gboolean    stp_store_next_stage       (StpStore      *self,
                                        StpSession    *session,
                                        const char    *episode_id,
                                        const char    *date,
                                        const char    *note,
                                        GError       **error);
/* Closes the current stage as "stepped back" and reopens @stage_id (an
 * earlier stage of the same program); a normal event after a relapse. */
gboolean    stp_store_step_back        (StpStore      *self,
                                        StpSession    *session,
                                        const char    *episode_id,
                                        const char    *stage_id,
                                        const char    *date,
                                        const char    *note,
                                        GError       **error);
/* Closes the current stage, sets @status (completed, dropped out, expelled,
 * transferred, hospitalized, died), the date and reason, and schedules
 * follow-ups 1, 3, 6, 12 and 24 months after @date (not for "died"). */
gboolean    stp_store_discharge        (StpStore        *self,
                                        StpSession      *session,
                                        const char      *episode_id,
                                        StpEpisodeStatus status,
                                        const char      *date,
                                        const char      *reason,
                                        GError         **error);
/* The resident's newest episode, or NULL (no error) when none. */
StpEpisode *stp_store_get_latest_episode (StpStore   *self,
                                          StpSession *session,
                                          const char *resident_id,
                                          GError    **error);
/* Stages of a program in order (retired ones included, flagged). */
GPtrArray  *stp_store_list_stages      (StpStore      *self,
                                        StpSession    *session,
                                        const char    *program_id,
                                        GError       **error);
/* Deletes a stage without entries; a stage with entries is retired instead
 * (returns TRUE and sets *out_retired). */
gboolean    stp_store_remove_stage     (StpStore      *self,
                                        StpSession    *session,
                                        const char    *stage_id,
                                        gboolean      *out_retired,
                                        GError       **error);

/* --- Consents ------------------------------------------------------------ */

/* A valid (signed, not expired, not withdrawn on @date) transfer consent of
 * the resident for @recipient (case-insensitive match), or NULL with
 * STP_CORE_ERROR_NO_CONSENT and a message naming what is missing. */
StpConsent *stp_store_find_transfer_consent (StpStore   *self,
                                             StpSession *session,
                                             const char *resident_id,
                                             const char *recipient,
                                             const char *date,
                                             GError    **error);

/* --- Audit --------------------------------------------------------------- */

typedef struct
{
  gint64          id;
  char           *at;          /* UTC ISO 8601 */
  char           *user_login;
  char           *device_id;
  StpAuditAction  action;
  char           *entity;      /* table name or NULL */
  char           *entity_id;
  char           *detail;
  char           *resident_name; /* "Фамилия Имя Отчество" of the resident the
                                  * record belongs to, or NULL */
  char           *user_name;   /* the user's full name, or NULL (system, unknown) */
  char           *entity_name; /* a user's, stage's, program's or center's name, or NULL */
  char           *detail_text; /* @detail in the reader's language (field names as
                                * labels, counts in words), or NULL */
} StpAuditEvent;

void        stp_audit_event_free       (StpAuditEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpAuditEvent, stp_audit_event_free)

/* Appends an event (used by reports for print and export). */
gboolean    stp_store_audit            (StpStore      *self,
                                        StpSession    *session,
                                        StpAuditAction action,
                                        const char    *entity,
                                        const char    *entity_id,
                                        const char    *detail,
                                        GError       **error);
/* Director only; newest first; @limit <= 0 means all. */
GPtrArray  *stp_store_list_audit       (StpStore      *self,
                                        StpSession    *session,
                                        int            limit,
                                        GError       **error);

G_END_DECLS
