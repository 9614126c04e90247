/* stp-server-store.h: the server's storage interface.
 *
 * A store is a small vtable over one SQL connection (SQLite or PostgreSQL);
 * the operations below are written once against it.  SQL text uses $1, $2 …
 * placeholders and only portable statements (UPDATE … RETURNING, ON
 * CONFLICT); values are always bound, never spliced in.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STP_SERVER_ERROR (stp_server_error_quark ())

typedef enum
{
  STP_SERVER_ERROR_FAILED = 0,
  STP_SERVER_ERROR_NOT_FOUND,
  STP_SERVER_ERROR_CONFIG,
} StpServerError;

GQuark stp_server_error_quark (void);

typedef struct
{
  guint   n_rows;
  guint   n_cols;
  char  **cells;              /* n_rows * n_cols, NULL for SQL NULL */
} StpServerResult;

void         stp_server_result_free (StpServerResult *result);
const char  *stp_server_result_get  (StpServerResult *result,
                                     guint            row,
                                     guint            col);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpServerResult, stp_server_result_free)

typedef struct _StpServerStore StpServerStore;

/* One row of a query, without copies: the values (NULL for SQL NULL) and
 * their lengths in bytes, valid only during the call.  FALSE stops. */
typedef gboolean (*StpServerRowFunc) (const char * const *values,
                                      const gsize        *lengths,
                                      gpointer            user_data);

typedef struct
{
  const char       *name;         /* "sqlite" or "postgresql" */
  const char       *begin_sql;    /* starts a write transaction */
  const char       *setup_sql;    /* run on each new connection */
  const char       *lock_sql;     /* serializes migrations; NULL if begin_sql does */
  /* Taken around write transactions when the database allows only one
   * writer (SQLite): the process's workers then queue on a mutex instead
   * of polling in SQLite's busy handler, which sleeps up to 100 ms. */
  GMutex           *write_lock;
  /* With a write_lock: the name of the database, so that concurrent pushes
   * to it share one transaction (stp-server-store-push.c); NULL for a
   * database only this connection sees (SQLite in memory). */
  const char      *(*group_key)   (StpServerStore      *store);
  void             (*free)        (StpServerStore      *store);
  gboolean         (*exec_script) (StpServerStore      *store,
                                   const char          *sql,
                                   GError             **error);
  StpServerResult *(*query)       (StpServerStore      *store,
                                   const char          *sql,
                                   const char * const  *params,
                                   guint                n_params,
                                   GError             **error);
  /* As query, one row at a time to @func (at most 8 columns). */
  gboolean         (*query_rows)  (StpServerStore      *store,
                                   const char          *sql,
                                   const char * const  *params,
                                   guint                n_params,
                                   StpServerRowFunc     func,
                                   gpointer             user_data,
                                   GError             **error);
  /* TRUE when the byte size of a stored body is known without reading it
   * (PostgreSQL's octet_length); SQLite reads the whole value for it. */
  gboolean          body_size_is_cheap;
} StpServerStoreVTable;

struct _StpServerStore
{
  const StpServerStoreVTable *vtable;
  gboolean                    holds_write_lock;
};

StpServerStore *stp_server_store_sqlite_open   (const char  *path,
                                                GError     **error);
StpServerStore *stp_server_store_pg_open       (const char  *conninfo,
                                                GError     **error);

/* @database: "sqlite:/path", a PostgreSQL URI or conninfo string, or empty
 * for @state_dir/server.db. */
StpServerStore *stp_server_store_open          (const char  *database,
                                                const char  *state_dir,
                                                GError     **error);
void            stp_server_store_free          (StpServerStore *store);
const char     *stp_server_store_get_kind      (StpServerStore *store);
/* The schema version of the database (the number of migrations applied). */
gint64          stp_server_store_get_version   (StpServerStore *store,
                                                GError        **error);
guint           stp_server_store_latest_version (void);

typedef struct
{
  char     *id;
  char     *center;
  gboolean  revoked;
} StpServerDevice;

void            stp_server_device_clear        (StpServerDevice *device);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StpServerDevice, stp_server_device_clear)

typedef enum
{
  STP_SERVER_ENROLL_OK = 0,
  STP_SERVER_ENROLL_UNKNOWN_CODE,
  STP_SERVER_ENROLL_USED_CODE,
  STP_SERVER_ENROLL_EXPIRED_CODE,
} StpServerEnrollStatus;

typedef struct
{
  const char *msg_id;
  const char *device;
  gint64      hlc;
  gint64      schema;
  const char *key_id;
  const char *body;
  gint64      seq;               /* out */
} StpServerPushItem;

/* A database snapshot uploaded by a device: opaque sealed chunks and a
 * sealed manifest, see docs/PROTOCOL.md, "Snapshots". */
typedef struct
{
  char   *id;
  char   *device;
  gint64  seq;
  gint64  chunks;
  gint64  bytes;
  char   *manifest;
  gint64  created_at;
  gint64  committed_at;          /* 0 while uncommitted */
} StpServerSnapshot;

void            stp_server_snapshot_clear      (StpServerSnapshot *snapshot);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StpServerSnapshot, stp_server_snapshot_clear)

typedef enum
{
  STP_SERVER_SNAPSHOT_OK = 0,
  STP_SERVER_SNAPSHOT_CREATED,          /* create: a new snapshot was stored */
  STP_SERVER_SNAPSHOT_CONFLICT,         /* create: the id is taken with other values */
  STP_SERVER_SNAPSHOT_SEQ_BEYOND_HEAD,  /* create: seq is past the center's log */
  STP_SERVER_SNAPSHOT_NOT_FOUND,
  STP_SERVER_SNAPSHOT_OTHER_DEVICE,     /* another device created it */
  STP_SERVER_SNAPSHOT_COMMITTED,        /* chunk: no more changes after commit */
  STP_SERVER_SNAPSHOT_BAD_INDEX,        /* chunk: n is not below chunks */
  STP_SERVER_SNAPSHOT_TOO_LARGE,        /* chunk: the chunks would pass bytes */
  STP_SERVER_SNAPSHOT_INCOMPLETE,       /* commit: chunks are missing */
} StpServerSnapshotStatus;

/* Snapshots older than this that were never committed are removed. */
#define STP_SERVER_SNAPSHOT_UNCOMMITTED_MILLIS (G_GINT64_CONSTANT (24) * 3600 * 1000)
/* How many committed snapshots a center keeps. */
#define STP_SERVER_SNAPSHOTS_KEPT 2

char           *stp_server_hash_secret         (const char *secret);
gint64          stp_server_now_millis          (void);

gboolean        stp_server_store_add_center    (StpServerStore  *store,
                                                const char      *name,
                                                char           **id_out,
                                                GError         **error);
gboolean        stp_server_store_get_center    (StpServerStore  *store,
                                                const char      *id,
                                                char           **name_out,
                                                char           **key_out,
                                                GError         **error);
gboolean        stp_server_store_add_code      (StpServerStore  *store,
                                                const char      *center,
                                                const char      *code_hash,
                                                gint64           expires_at,
                                                GError         **error);
/* Enrolls a device with a code; on success the device also gets the next
 * device number of its center (1, 2, …; never given twice), from which it
 * makes the device code of its file numbers.  With @device_id NULL it only
 * checks the code (*@status, *@center_out) and writes nothing. */
gboolean        stp_server_store_enroll        (StpServerStore  *store,
                                                const char      *code_hash,
                                                gint64           now,
                                                const char      *device_id,
                                                const char      *device_name,
                                                const char      *token_hash,
                                                StpServerEnrollStatus *status,
                                                char           **center_out,
                                                gint64          *number_out,
                                                GError         **error);
gboolean        stp_server_store_find_device   (StpServerStore  *store,
                                                const char      *token_hash,
                                                StpServerDevice *device,
                                                GError         **error);
gboolean        stp_server_store_touch_device  (StpServerStore  *store,
                                                const char      *id,
                                                gint64           now,
                                                GError         **error);
StpServerResult *stp_server_store_list_devices (StpServerStore  *store,
                                                GError         **error);
gboolean        stp_server_store_revoke_device (StpServerStore  *store,
                                                const char      *id,
                                                GError         **error);
gboolean        stp_server_store_set_key       (StpServerStore  *store,
                                                const char      *center,
                                                const char      *key_json,
                                                gboolean        *was_set,
                                                GError         **error);
gboolean        stp_server_store_push          (StpServerStore  *store,
                                                const char      *center,
                                                StpServerPushItem *items,
                                                guint            n_items,
                                                gint64           now,
                                                GError         **error);
/* Rows (seq, body) after @after in seq order: at most @limit, and no more
 * than fit in @max_bytes of reply (but always one, if there is one);
 * @more says whether rows are left.  stp_server_store_pull_each() hands
 * each body to @func as the database returns it (no copy; @body is valid
 * during the call only; when @func returns FALSE the walk stops there, and
 * @more is TRUE), stp_server_store_pull() returns them all. */
typedef gboolean (*StpServerPullFunc) (gint64      seq,
                                       const char *body,
                                       gsize       length,
                                       gpointer    user_data);   /* FALSE stops */
gboolean        stp_server_store_pull_each     (StpServerStore  *store,
                                                const char      *center,
                                                gint64           after,
                                                guint            limit,
                                                gsize            max_bytes,
                                                StpServerPullFunc func,
                                                gpointer         user_data,
                                                gboolean        *more,
                                                GError         **error);
StpServerResult *stp_server_store_pull         (StpServerStore  *store,
                                                const char      *center,
                                                gint64           after,
                                                guint            limit,
                                                gsize            max_bytes,
                                                gboolean        *more,
                                                GError         **error);
gboolean        stp_server_store_add_aggregate (StpServerStore  *store,
                                                const char      *center,
                                                const char      *period_from,
                                                const char      *period_to,
                                                gint64           sent_at,
                                                const char      *body,
                                                GError         **error);
StpServerResult *stp_server_store_aggregates   (StpServerStore  *store,
                                                GError         **error);
/* Creates @snapshot (id, device, seq, chunks, bytes, manifest) unless the id
 * is taken: the same values from the same device give
 * STP_SERVER_SNAPSHOT_OK, others STP_SERVER_SNAPSHOT_CONFLICT. */
gboolean        stp_server_store_create_snapshot (StpServerStore        *store,
                                                const char              *center,
                                                const StpServerSnapshot *snapshot,
                                                gint64                   now,
                                                StpServerSnapshotStatus *status,
                                                GError                 **error);
/* Stores (or replaces) chunk @n of a snapshot of @device; @size is the
 * decoded size of the base64 @body. */
gboolean        stp_server_store_put_snapshot_chunk (StpServerStore  *store,
                                                const char              *center,
                                                const char              *id,
                                                const char              *device,
                                                gint64                   n,
                                                gint64                   size,
                                                const char              *body,
                                                StpServerSnapshotStatus *status,
                                                GError                 **error);
/* Commits a complete snapshot of @device, then removes the center's older
 * committed snapshots and its abandoned uncommitted ones.  On
 * STP_SERVER_SNAPSHOT_INCOMPLETE, @missing_out is the number of missing
 * chunks; on success @seq_out is the snapshot's seq. */
gboolean        stp_server_store_commit_snapshot (StpServerStore        *store,
                                                const char              *center,
                                                const char              *id,
                                                const char              *device,
                                                gint64                   now,
                                                StpServerSnapshotStatus *status,
                                                gint64                  *seq_out,
                                                gint64                  *missing_out,
                                                GError                 **error);
/* The committed snapshot with the highest seq (@snapshot->id stays NULL
 * when there is none), the center's highest seq and the length of the
 * envelope bodies after the snapshot. */
gboolean        stp_server_store_latest_snapshot (StpServerStore    *store,
                                                const char          *center,
                                                StpServerSnapshot   *snapshot,
                                                gint64              *head_out,
                                                gint64              *log_bytes_after_out,
                                                GError             **error);
/* The base64 body of chunk @n of a committed snapshot, or NULL with
 * STP_SERVER_ERROR_NOT_FOUND. */
char           *stp_server_store_get_snapshot_chunk (StpServerStore  *store,
                                                const char          *center,
                                                const char          *id,
                                                gint64               n,
                                                GError             **error);

G_END_DECLS
