/* stp-backup.h: encrypted backup copies of the center's database and
 * restoring them (docs/ARCHITECTURE.md, "Backups").
 *
 * A copy is one file NAME.stpbak in a folder the director chose:
 *
 *   "STUPENI-BACKUP\n\0" (16 bytes), format (u32 LE), clear header length
 *   (u32 LE), the clear header (JSON: center id, creation time), the key
 *   derivation (16-byte salt, argon2id opslimit u64 LE, memlimit u64 LE),
 *   the secretstream header (24 bytes), then messages, each a u32 LE length
 *   and a crypto_secretstream_xchacha20poly1305 ciphertext:
 *     1. the info (JSON: center, date, residents, schema), with everything
 *        before it as additional data, so that the clear part cannot be
 *        altered;
 *     2. … the database (a VACUUM INTO copy), compressed with zstd;
 *     last. the size and BLAKE2b-256 hash of the database, tagged FINAL.
 *
 * A file without its FINAL message (truncated), with a wrong hash, under
 * another password, of a newer format or of another center is refused, and
 * nothing is changed.
 */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_BACKUP_FORMAT   1
#define STP_BACKUP_SUFFIX   ".stpbak"
/* A copy older than this many days makes the window warn. */
#define STP_BACKUP_STALE_DAYS 7

/* Local settings (never synced) used by backups. */
#define STP_BACKUP_SETTING_FOLDER      "backup.folder"
#define STP_BACKUP_SETTING_LAST_GOOD   "backup.last_good"
#define STP_BACKUP_SETTING_LAST_FILE   "backup.last_file"

typedef struct
{
  int      format;
  char    *center_id;
  char    *center_name;
  gint64   created_usec;    /* UTC microseconds */
  gint64   residents;       /* not deleted */
  int      schema_version;
  gint64   database_size;   /* bytes of the uncompressed database */
  gint64   file_size;       /* bytes of the .stpbak file */
  char    *path;            /* the .stpbak file */
} StpBackupInfo;

void stp_backup_info_free (StpBackupInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpBackupInfo, stp_backup_info_free)

/* A key derived from the backup password (argon2id) with its salt. */
typedef struct _StpBackupKey StpBackupKey;

StpBackupKey *stp_backup_key_derive (const char   *password,
                                     GError      **error);
StpBackupKey *stp_backup_key_copy   (const StpBackupKey *key);
void          stp_backup_key_free   (StpBackupKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpBackupKey, stp_backup_key_free)

/* Called from the thread doing the work; @fraction in 0..1. */
typedef void (*StpBackupProgressFunc) (double   fraction,
                                       gpointer user_data);

typedef enum
{
  STP_BACKUP_STATE_OK = 0,
  STP_BACKUP_STATE_NOT_SET_UP,     /* no folder or no password */
  STP_BACKUP_STATE_NEVER,          /* set up, no good copy yet */
  STP_BACKUP_STATE_FOLDER_MISSING, /* the folder is not there (stick removed) */
  STP_BACKUP_STATE_STALE,          /* the last good copy is older than 7 days */
} StpBackupState;

/* --- Settings (the store's thread) ---------------------------------------- */

/* Director only.  @password and @repeat must match and have at least 8
 * characters (STP_CORE_ERROR_INVALID).  Stores the derived key, not the
 * password, so that copies can be made without asking. */
gboolean       stp_backup_set_password  (StpStore     *store,
                                         StpSession   *session,
                                         const char   *password,
                                         const char   *repeat,
                                         GError      **error);
/* The stored key, or NULL when no password was set. */
StpBackupKey  *stp_backup_get_key       (StpStore     *store);
/* Director only. */
gboolean       stp_backup_set_folder    (StpStore     *store,
                                         StpSession   *session,
                                         const char   *folder,
                                         GError      **error);
char          *stp_backup_get_folder    (StpStore     *store);
/* The state for a warning, and the time of the last good copy (0: none). */
StpBackupState stp_backup_get_state     (StpStore     *store,
                                         gint64       *out_last_good_usec);
/* TRUE when a copy is set up and, with @daily, none was made in the last
 * 24 hours, or, without, something was saved since the last one (on quit). */
gboolean       stp_backup_is_due        (StpStore     *store,
                                         gboolean      daily);
/* Records a verified copy: the time, the file and the change counter; an
 * audit event "backup" by @session (NULL: the system). */
gboolean       stp_backup_record_success (StpStore           *store,
                                          StpSession         *session,
                                          const StpBackupInfo *info,
                                          GError            **error);

/* --- Writing (any thread: touches files only) ----------------------------- */

/* Copies the database at @db_path (a consistent copy from a connection of
 * its own while the window keeps working) into FOLDER/stupeni-DATE.stpbak
 * through a temporary name, reads the new file back and checks it, then
 * prunes old copies of the same center (stp_backup_prune).  The
 * uncompressed copy lives next to the database, never in @folder.
 * @now_usec names the file (0: the clock). */
StpBackupInfo *stp_backup_write         (const char            *db_path,
                                         const StpBackupKey    *key,
                                         const char            *folder,
                                         gint64                 now_usec,
                                         StpBackupProgressFunc  progress,
                                         gpointer               user_data,
                                         GError               **error);
/* The same, stopped with G_IO_ERROR_CANCELLED (and nothing left behind)
 * soon after @cancellable is cancelled: between two megabytes of the
 * sealed stream, or within the consistent copy. */
StpBackupInfo *stp_backup_write_cancellable (const char            *db_path,
                                             const StpBackupKey    *key,
                                             const char            *folder,
                                             gint64                 now_usec,
                                             StpBackupProgressFunc  progress,
                                             gpointer               user_data,
                                             GCancellable          *cancellable,
                                             GError               **error);
/* Keeps the newest copy of each of the last 7 days, 4 weeks and 12 months
 * that have copies, removes the other copies of @center_id in @folder
 * (files of other centers and other names are left alone), and never
 * removes @keep_path.  *out_removed: how many were removed. */
gboolean       stp_backup_prune         (const char   *folder,
                                         const char   *center_id,
                                         const char   *keep_path,
                                         guint        *out_removed,
                                         GError      **error);

/* --- Reading and restoring ----------------------------------------------- */

/* Opens @path with @password and returns what it holds, without reading
 * the database part; *out_key (optional) gets the key for
 * stp_backup_extract(). */
StpBackupInfo *stp_backup_inspect       (const char    *path,
                                         const char    *password,
                                         StpBackupKey **out_key,
                                         GError       **error);
/* Decrypts and decompresses the whole copy into @dest_path and checks its
 * size and hash; on any failure @dest_path is removed.  Any thread. */
gboolean       stp_backup_extract       (const char            *path,
                                         const StpBackupKey    *key,
                                         const char            *dest_path,
                                         StpBackupProgressFunc  progress,
                                         gpointer               user_data,
                                         GError               **error);
/* Replaces the data of @store with the extracted database @extracted_path
 * (the store's thread; director only, or @session NULL on a store without a
 * center: the first-run window).  Refuses a database of another center
 * when @store has one, or of a newer schema.  The current file is first
 * copied to DB.before-restore.  This computer keeps its device id, its
 * clock never goes back, outbox ids and file numbers continue after the
 * highest either file gave, its own backup settings and audit log stay;
 * the rest (records, the sync cursor, sync settings) is the copy's.
 * Writes an audit event "restore".  @extracted_path is removed.  Only for
 * a file from stp_backup_extract(): its hash check stands for the
 * quick_check the writer did, so only a light check is made here. */
gboolean       stp_backup_install       (StpStore     *store,
                                         StpSession   *session,
                                         const char   *extracted_path,
                                         GError      **error);
/* The same, telling how far the copy into the database is (0..1): it holds
 * the database's write lock, some 35-57 s on the 100 000-resident center,
 * so a window shows it instead of seeming to hang. */
gboolean       stp_backup_install_with_progress (StpStore              *store,
                                                 StpSession            *session,
                                                 const char            *extracted_path,
                                                 StpBackupProgressFunc  progress,
                                                 gpointer               user_data,
                                                 GError               **error);
/* After stp_backup_install() ran on a secondary connection (a worker
 * thread): takes the restored device code into @store, the window's. */
void           stp_backup_refresh_store (StpStore     *store);
/* stp_backup_inspect + extract (next to the database) + install. */
gboolean       stp_backup_restore       (StpStore              *store,
                                         StpSession            *session,
                                         const char            *path,
                                         const char            *password,
                                         StpBackupProgressFunc  progress,
                                         gpointer               user_data,
                                         GError               **error);

G_END_DECLS
