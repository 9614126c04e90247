/* stp-backup-private.h: what the files of the backup code share: the file
 * layout's constants, the key and small file helpers (stp-backup.c), and
 * the reader (stp-backup-read.c) that the writer uses to check a new copy.
 * Not for other layers. */
#pragma once

#include <stdio.h>
#include <sqlite3.h>
#include <sodium.h>
#include <gio/gio.h>

#include "stp-backup.h"

G_BEGIN_DECLS

#define BACKUP_MAGIC        "STUPENI-BACKUP\n"   /* with its NUL: 16 bytes */
#define BACKUP_MAGIC_LEN    16
#define SALT_LEN            crypto_pwhash_SALTBYTES
#define KEY_LEN             crypto_secretstream_xchacha20poly1305_KEYBYTES
#define HASH_LEN            32
/* Plaintext per message: what zstd gives is cut into pieces this big. */
#define CHUNK_BYTES         (1024 * 1024)
/* Bounds a reader accepts, far above what a writer makes. */
#define MAX_HEADER_BYTES    (64 * 1024)
#define MAX_MESSAGE_BYTES   (4 * 1024 * 1024)
#define MAX_OPSLIMIT        16
#define MAX_MEMLIMIT        (G_GUINT64_CONSTANT (1) << 30)
#define ZSTD_LEVEL          3

#define SETTING_SALT        "backup.salt"
#define SETTING_KEY         "backup.key"
#define SETTING_OPSLIMIT    "backup.opslimit"
#define SETTING_MEMLIMIT    "backup.memlimit"
#define SETTING_LAST_OUTBOX "backup.last_outbox"

struct _StpBackupKey
{
  guint8  salt[SALT_LEN];
  guint8  key[KEY_LEN];
  guint64 opslimit;
  guint64 memlimit;
};

/* stp-backup.c */
G_GNUC_INTERNAL
StpBackupKey *stp_backup_derive_key          (const char    *password,
                                              const guint8  *salt,
                                              guint64        opslimit,
                                              guint64        memlimit,
                                              GError       **error);
G_GNUC_INTERNAL
void          stp_backup_remove_database     (const char    *path);
G_GNUC_INTERNAL
void          stp_backup_put_u32             (GByteArray    *out,
                                              guint32        value);
G_GNUC_INTERNAL
void          stp_backup_put_u64             (GByteArray    *out,
                                              guint64        value);
G_GNUC_INTERNAL
gboolean      stp_backup_write_all           (FILE          *file,
                                              const void    *data,
                                              gsize          len,
                                              const char    *path,
                                              GError       **error);
G_GNUC_INTERNAL
gint64        stp_backup_query_int           (sqlite3       *db,
                                              const char    *sql,
                                              gint64         fallback);
G_GNUC_INTERNAL
char         *stp_backup_query_text          (sqlite3       *db,
                                              const char    *sql);
G_GNUC_INTERNAL
gboolean      stp_backup_exec_sql            (sqlite3       *db,
                                              const char    *sql,
                                              GError       **error);
G_GNUC_INTERNAL
sqlite3      *stp_backup_open_file           (const char    *path,
                                              int            flags,
                                              GError       **error);
G_GNUC_INTERNAL
void          stp_backup_sync_directory      (const char    *dir);
G_GNUC_INTERNAL
GDateTime    *stp_backup_local_time_from_usec (gint64        usec);

/* stp-backup-read.c */
G_GNUC_INTERNAL
void          stp_backup_set_damaged         (GError       **error);
G_GNUC_INTERNAL
gboolean      stp_backup_read_prefix         (FILE          *file,
                                              GByteArray   **out_prefix,
                                              char         **out_center_id,
                                              gint64        *out_created,
                                              guint8        *salt,
                                              guint64       *opslimit,
                                              guint64       *memlimit,
                                              guint8        *stream_header,
                                              GError       **error);
G_GNUC_INTERNAL
gboolean      stp_backup_read_copy           (const char            *path,
                                              const char            *password,
                                              const StpBackupKey    *given_key,
                                              gboolean               info_only,
                                              const char            *dest_path,
                                              StpBackupProgressFunc  progress,
                                              gpointer               user_data,
                                              StpBackupInfo        **out_info,
                                              StpBackupKey         **out_key,
                                              guint8                *out_hash,
                                              GCancellable          *cancellable,
                                              GError               **error);

G_END_DECLS
