/* stp-sync-engine-snapshots.c: snapshots in a sync run (worker thread).
 *
 * A computer that has pulled nothing yet starts from the newest snapshot
 * instead of replaying the whole log, then pulls what came after it.  A
 * computer that is up to date makes a new snapshot when the log since the
 * newest one has grown to half its size (and at least the minimum).  The
 * file side (packing, unpacking) is in stp-sync-snapshot.c, the database
 * side in stp-sync-store-snapshot.c. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine-private.h"
#include "stp-sync-snapshot.h"
#include "stp-sync-store.h"
#include "stp-sync-replies.h"
#include "stp-snapshot.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#endif

/* Sealed chunks of at most this much. */
#define SNAPSHOT_CHUNK_BYTES (4 * 1024 * 1024)

/* What the server says of its newest snapshot. */
typedef StpSyncLatest Latest;

/* A snapshot made here, packed, to be sent. */
typedef struct
{
  char                *db_path;
  char                *packed_path;
  StpSnapshotManifest  manifest;
  gint64               packed_bytes;
} Outgoing;

static char *
snapshot_temp_path (StpSyncRun *run,
                    const char *suffix)
{
  return g_strconcat (stp_store_get_path (run->secondary), suffix, NULL);
}

#ifdef G_OS_UNIX
static gpointer
close_thread (gpointer data)
{
  close (GPOINTER_TO_INT (data));
  return NULL;
}
#endif

/* Removes @name.  Freeing the blocks of a file of hundreds of MB takes
 * the system a good part of a second, so where it can the name goes at
 * once (the path is free again) while a thread holds the file open and
 * its close frees them, beside the sync.  A crash meanwhile loses
 * nothing: the system frees an unnamed file when it is closed. */
static void
remove_file (const char *name)
{
#ifdef G_OS_UNIX
  int fd = g_open (name, O_RDONLY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      if (g_unlink (name) == 0)
        {
          g_thread_unref (g_thread_new ("stp-snapshot-rm", close_thread, GINT_TO_POINTER (fd)));
          return;
        }
      close (fd);
    }
#endif
  g_remove (name);
}

static void
remove_snapshot_files (const char *path)
{
  static const char * const suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      remove_file (name);
    }
}

void
_stp_sync_run_remove_snapshot_leftovers (StpSyncRun *run)
{
  static const char * const leftovers[] = { ".snapshot-in", ".snapshot-out" };

  for (guint i = 0; i < G_N_ELEMENTS (leftovers); i++)
    {
      g_autofree char *path = snapshot_temp_path (run, leftovers[i]);
      g_autofree char *packed = g_strconcat (path, ".zst", NULL);

      remove_snapshot_files (path);
      g_remove (packed);
    }
}

/* FALSE only for network errors and cancelling. */
static gboolean
fetch_latest (StpSyncRun    *run,
              Latest        *latest,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *path = g_strdup_printf ("/v1/centers/%s/snapshots/latest", run->center);
  g_autoptr(GError) local_error = NULL;
  StpSyncReply reply;
  JsonObject *object;

  memset (latest, 0, sizeof *latest);
  if (!stp_sync_client_request (run->client, SOUP_METHOD_GET, path, NULL, 0, &reply,
                                cancellable, error))
    return FALSE;
  if (!stp_sync_reply_is_ok_object (&reply))
    {
      /* An older server: replay the log as before. */
      g_debug ("No snapshots on this server (HTTP %u)", reply.status);
      stp_sync_reply_clear (&reply);
      return TRUE;
    }
  object = json_node_get_object (reply.json);
  if (!stp_sync_read_latest (object, latest, &local_error))
    {
      /* Like a server without snapshots: the log is replayed and no
       * snapshot is made.  Not a warning: the input came from outside. */
      g_message ("The server described its snapshots in an unexpected form (%s); "
                 "the changes are read one by one", local_error->message);
      stp_sync_latest_clear (latest);
    }
  stp_sync_reply_clear (&reply);
  return TRUE;
}

/* --- Starting from a snapshot -------------------------------------------------- */

/* Opens and checks the manifest of @latest. */
static gboolean
open_manifest (StpSyncRun           *run,
               const Latest         *latest,
               StpSnapshotManifest  *manifest,
               GError              **error)
{
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) plain = NULL;

  if (!(sealed = stp_base64_decode (latest->manifest, 65536, error)) ||
      !(plain = stp_snapshot_open (run->key, run->center, latest->id, STP_SNAPSHOT_MANIFEST,
                                   latest->chunks, g_bytes_get_data (sealed, NULL),
                                   g_bytes_get_size (sealed), error)) ||
      !stp_snapshot_manifest_from_json (manifest, g_bytes_get_data (plain, NULL),
                                        g_bytes_get_size (plain), error))
    return FALSE;
  if (manifest->seq != latest->seq || manifest->chunks != latest->chunks ||
      g_strcmp0 (manifest->format, STP_SNAPSHOT_FORMAT) != 0)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The snapshot does not match its description"));
      return FALSE;
    }
  return TRUE;
}

/* One downloaded chunk, opened and unpacked on a helper thread while the
 * next one is downloaded. */
typedef struct
{
  StpSyncRun         *run;
  const Latest       *latest;
  StpSnapshotWriter  *writer;
  gint64              n;
  StpSyncReply        reply;
  GError             *problem;
} ChunkJob;

static gpointer
unpack_chunk (gpointer data)
{
  ChunkJob *job = data;
  g_autoptr(GBytes) ct = NULL;
  g_autoptr(GBytes) chunk = NULL;
  const char *text;

  if (!stp_sync_reply_is_ok_object (&job->reply) ||
      !(text = stp_json_get_string (json_node_get_object (job->reply.json), "ct", G_MAXSIZE,
                                    &job->problem)) ||
      !(ct = stp_base64_decode (text, (gsize) job->latest->bytes, &job->problem)) ||
      !(chunk = stp_snapshot_open (job->run->key, job->run->center, job->latest->id, job->n,
                                   job->latest->chunks, g_bytes_get_data (ct, NULL),
                                   g_bytes_get_size (ct), &job->problem)) ||
      !stp_snapshot_writer_feed (job->writer, g_bytes_get_data (chunk, NULL),
                                 g_bytes_get_size (chunk), &job->problem))
    {
      if (job->problem == NULL)
        stp_sync_reply_set_error (&job->reply, &job->problem);
    }
  /* Freed here, beside the next download. */
  stp_sync_reply_clear (&job->reply);
  return job;
}

/* Waits for the chunk being unpacked; FALSE with @problem when it failed. */
static gboolean
join_chunk (GThread  **thread,
            ChunkJob **job,
            GError   **problem)
{
  gboolean ok = TRUE;

  if (*thread == NULL)
    return TRUE;
  g_thread_join (g_steal_pointer (thread));
  if ((*job)->problem != NULL)
    {
      g_propagate_error (problem, g_steal_pointer (&(*job)->problem));
      ok = FALSE;
    }
  g_clear_pointer (job, g_free);
  return ok;
}

/* Downloads, opens and unpacks the chunks into @writer, in order; chunk
 * N + 1 is downloaded while a helper thread opens and unpacks chunk N.
 * FALSE with @error for network errors and cancelling, with @problem for
 * the rest. */
static gboolean
download_chunks (StpSyncRun         *run,
                 const Latest       *latest,
                 StpSnapshotWriter  *writer,
                 gint64             *usec_http,
                 GCancellable       *cancellable,
                 GError            **error,
                 GError            **problem)
{
  GThread *thread = NULL;
  ChunkJob *job = NULL;

  for (gint64 n = 0; n < latest->chunks; n++)
    {
      g_autofree char *chunk_path = g_strdup_printf ("/v1/centers/%s/snapshots/%s/chunks/%" G_GINT64_FORMAT,
                                                     run->center, latest->id, n);
      StpSyncReply reply;
      gint64 t0 = g_get_monotonic_time ();

      if (!stp_sync_client_request (run->client, SOUP_METHOD_GET, chunk_path, NULL, 0, &reply,
                                    cancellable, error))
        {
          g_autoptr(GError) ignored = NULL;

          join_chunk (&thread, &job, &ignored);
          return FALSE;
        }
      *usec_http += g_get_monotonic_time () - t0;
      if (!join_chunk (&thread, &job, problem))
        {
          stp_sync_reply_clear (&reply);
          return FALSE;
        }
      job = g_new0 (ChunkJob, 1);
      job->run = run;
      job->latest = latest;
      job->writer = writer;
      job->n = n;
      job->reply = reply;
      thread = g_thread_new ("stp-sync-unpack", unpack_chunk, job);
    }
  return join_chunk (&thread, &job, problem);
}

/* Downloads, checks and installs @latest.  FALSE for network errors and
 * cancelling (the sync fails and is retried); any other problem is
 * logged and the log is replayed instead. */
static gboolean
install_snapshot (StpSyncRun    *run,
                  const Latest  *latest,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *path = snapshot_temp_path (run, ".snapshot-in");
  g_autoptr(StpSnapshotWriter) writer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(StpSnapshotManifest) manifest = { 0, };
  guint8 hash[32];
  gint64 raw_bytes = 0;
  gint64 seq = -1;
  guint64 hlc = 0;
  gint64 t_start = g_get_monotonic_time ();
  gint64 t_download;
  gint64 usec_http = 0;
  gboolean ok = TRUE;
  StpSyncClock clock;

  _stp_sync_clock_start (&clock);
  if (!open_manifest (run, latest, &manifest, &local_error))
    goto skip;
  if (manifest.schema != STP_SCHEMA_VERSION)
    {
      g_debug ("The snapshot has schema %" G_GINT64_FORMAT ", this program %d: replaying the log",
               manifest.schema, STP_SCHEMA_VERSION);
      return TRUE;
    }

  remove_snapshot_files (path);
  if (!(writer = stp_snapshot_writer_new (path, manifest.raw_bytes, &local_error)))
    goto skip;
  if (!download_chunks (run, latest, writer, &usec_http, cancellable, error, &local_error))
    {
      if (local_error != NULL)
        goto skip;
      ok = FALSE;
      goto out;
    }
  if (!stp_snapshot_writer_finish (writer, hash, &raw_bytes, &local_error))
    goto skip;
  if (raw_bytes != manifest.raw_bytes || sodium_memcmp (hash, manifest.hash, sizeof hash) != 0)
    {
      g_set_error_literal (&local_error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The snapshot does not match its description"));
      goto skip;
    }
  t_download = g_get_monotonic_time ();
  _stp_sync_clock_phase (&clock, "snapshot in: download, open, unpack");
  if (!stp_sync_store_install_snapshot (run->secondary, path, CURSOR_KEY, manifest.seq, &seq, &hlc,
                                        &local_error))
    goto skip;
  _stp_sync_clock_phase (&clock, "snapshot in: install");
  if (seq >= 0)
    {
      run->max_remote_hlc = MAX (run->max_remote_hlc, hlc);
      stp_sync_store_observe_hlc (run->secondary, hlc);
      run->snapshot_in = TRUE;
      g_debug ("snapshot in: %" G_GINT64_FORMAT " bytes, seq %" G_GINT64_FORMAT
               ", %.2f s downloading and unpacking (%.2f s of it waiting for the server), "
               "%.2f s installing",
               raw_bytes, seq, (t_download - t_start) / 1e6, usec_http / 1e6,
               (g_get_monotonic_time () - t_download) / 1e6);
    }
  goto out;

skip:
  g_message ("The snapshot from the server was not used (%s); the changes are read one by one",
             local_error != NULL ? local_error->message : "?");
out:
  remove_snapshot_files (path);
  return ok;
}

gboolean
_stp_sync_run_start_from_snapshot (StpSyncRun    *run,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  Latest latest;
  gboolean ok = TRUE;

  if (!fetch_latest (run, &latest, cancellable, error))
    return FALSE;
  if (latest.have && latest.seq > 0)
    ok = install_snapshot (run, &latest, cancellable, error);
  stp_sync_latest_clear (&latest);
  return ok;
}

/* --- Making one ------------------------------------------------------------------ */

struct _StpSyncEarlyCopy
{
  GThread  *thread;
  char     *live_path;
  char     *db_path;
  char     *packed_path;
  gint64    cursor;        /* what the copy saw */
  guint64   hlc;
  gint64    outbox_last;
  gboolean  packed;        /* copied and compressed */
  guint8    hash[32];
  gint64    raw_bytes;
  gint64    packed_bytes;
  gboolean  usable;        /* checked against the push */
  gint64    seq;           /* then: the push's last seq */
  gint64    usec, usec_cpu;
  GError   *error;
};

/* This thread's CPU time, for the debug log (0 where unknown). */
static gint64
thread_cpu_usec (void)
{
#if defined(CLOCK_THREAD_CPUTIME_ID) && !defined(G_OS_WIN32)
  /* Not on Windows: mingw's clock_gettime is in winpthreads, not linked. */
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
#endif
  return 0;
}

static gpointer
early_copy_thread (gpointer data)
{
  StpSyncEarlyCopy *early = data;
  gint64 t0 = g_get_monotonic_time ();
  gint64 c0 = thread_cpu_usec ();

  /* Copied, then compressed at once: the copy holds the cursor it saw as
   * its seq, and the manifest says the push's last one. */
  early->packed = stp_sync_store_write_snapshot_early (early->live_path, early->db_path, CURSOR_KEY,
                                                       &early->cursor, &early->hlc,
                                                       &early->outbox_last, &early->error) &&
                  early->cursor >= 0 &&
                  stp_sync_snapshot_compress (early->db_path, early->packed_path, early->hash,
                                              &early->raw_bytes, &early->packed_bytes,
                                              &early->error);
  remove_snapshot_files (early->db_path);
  early->usec = g_get_monotonic_time () - t0;
  early->usec_cpu = thread_cpu_usec () - c0;
  return NULL;
}

void
_stp_sync_run_begin_early_copy (StpSyncRun *run)
{
  StpSyncEarlyCopy *early;

  /* (On one core the copy would only take turns with the push.) */
  if (run->snapshot_min_bytes == 0 || run->early_copy_min == 0 || run->early != NULL ||
      g_get_num_processors () < 2 ||
      stp_sync_store_count_pending (run->secondary) < run->early_copy_min)
    return;
  early = g_new0 (StpSyncEarlyCopy, 1);
  early->live_path = g_strdup (stp_store_get_path (run->secondary));
  early->db_path = snapshot_temp_path (run, ".snapshot-out");
  early->packed_path = snapshot_temp_path (run, ".snapshot-out.zst");
  early->thread = g_thread_new ("stp-snapshot-copy", early_copy_thread, early);
  run->early = early;
}

void
_stp_sync_run_drop_early_copy (StpSyncRun *run)
{
  StpSyncEarlyCopy *early = g_steal_pointer (&run->early);

  if (early == NULL)
    return;
  if (early->thread != NULL)
    g_thread_join (early->thread);
  remove_snapshot_files (early->db_path);
  remove_file (early->packed_path);
  g_clear_error (&early->error);
  g_free (early->live_path);
  g_free (early->db_path);
  g_free (early->packed_path);
  g_free (early);
}

/* After a successful push: the copy holds the state at the cursor it saw
 * plus the outbox rows through the newest id it saw.  It is the state at
 * the push's last seq when the push stored exactly those rows (ids only
 * grow, so rows saved after the copy began come later) in batches whose
 * seqs follow that cursor without a gap (no other computer's change lies
 * between), and the cursor now is that seq.  (A computer of an older
 * version installs it at the seq the file holds and pulls the push again:
 * the same data, repeated changes being ignored.) */
void
_stp_sync_run_end_early_copy (StpSyncRun *run)
{
  StpSyncEarlyCopy *early = run->early;
  gint64 cursor;

  if (early == NULL)
    return;
  g_thread_join (g_steal_pointer (&early->thread));
  cursor = stp_sync_store_get_cursor (run->secondary, CURSOR_KEY);
  g_debug ("phase snapshot out: copy, compress, hash, beside the push: %.2f s wall, %.2f s CPU "
           "of its thread", early->usec / 1e6, early->usec_cpu / 1e6);
  g_debug ("snapshot copy beside the push: %.2f s wall, %.2f s CPU; cursor %" G_GINT64_FORMAT
           " -> %" G_GINT64_FORMAT ", outbox through %" G_GINT64_FORMAT ", pushed through %"
           G_GINT64_FORMAT "%s", early->usec / 1e6, early->usec_cpu / 1e6, early->cursor, cursor,
           early->outbox_last, run->push_last_id, run->push_gapless ? "" : ", with a gap");
  if (early->packed && early->cursor == run->push_first_cursor &&
      run->push_last_seq > 0 && run->push_gapless && run->push_last_id == early->outbox_last &&
      cursor == run->push_last_seq)
    {
      early->usable = TRUE;
      early->seq = run->push_last_seq;
      return;
    }
  if (early->error != NULL)
    g_debug ("The copy beside the push is not used: %s", early->error->message);
  _stp_sync_run_drop_early_copy (run);
}

/* Copies the database at its cursor and packs it; FALSE when there is
 * nothing newer than @latest (with no error) or on an error. */
static gboolean
pack_snapshot (StpSyncRun    *run,
               const Latest  *latest,
               Outgoing      *out,
               GError       **error)
{
  gint64 seq = -1;
  guint64 hlc = 0;
  gint64 raw_bytes = 0;
  StpSyncClock clock;

  _stp_sync_clock_start (&clock);
  if (run->early != NULL && run->early->usable &&
      g_strcmp0 (run->early->packed_path, out->packed_path) == 0)
    {
      /* Copied and compressed beside the push. */
      seq = run->early->seq;
      if (latest->have && seq <= latest->seq)
        return FALSE;
      hlc = run->early->hlc;
      memcpy (out->manifest.hash, run->early->hash, sizeof out->manifest.hash);
      raw_bytes = run->early->raw_bytes;
      out->packed_bytes = run->early->packed_bytes;
      run->snapshot_early = TRUE;
    }
  else
    {
      if (!stp_sync_store_write_snapshot (run->secondary, out->db_path, CURSOR_KEY, &seq, &hlc, error))
        return FALSE;
      if (seq <= 0 || (latest->have && seq <= latest->seq))
        return FALSE;
      _stp_sync_clock_phase (&clock, "snapshot out: copy");
      if (!stp_sync_snapshot_compress (out->db_path, out->packed_path, out->manifest.hash, &raw_bytes,
                                       &out->packed_bytes, error))
        return FALSE;
      _stp_sync_clock_phase (&clock, "snapshot out: compress, hash");
    }
  remove_snapshot_files (out->db_path);
  out->manifest.format = g_strdup (STP_SNAPSHOT_FORMAT);
  out->manifest.schema = STP_SCHEMA_VERSION;
  out->manifest.seq = seq;
  out->manifest.raw_bytes = raw_bytes;
  out->manifest.device = g_strdup (run->device);
  out->manifest.hlc = hlc;
  return TRUE;
}

/* POSTs @body to @path; FALSE unless the server answered @status (or
 * 200). */
static gboolean
post (StpSyncRun    *run,
      const char    *path,
      const char    *body,
      guint          status,
      GCancellable  *cancellable,
      GError       **error)
{
  StpSyncReply reply;
  gboolean ok;

  if (!stp_sync_client_request (run->client, SOUP_METHOD_POST, path, body, strlen (body),
                                &reply, cancellable, error))
    return FALSE;
  ok = reply.status == status || reply.status == SOUP_STATUS_OK;
  if (!ok)
    stp_sync_reply_set_error (&reply, error);
  stp_sync_reply_clear (&reply);
  return ok;
}

/* One chunk's request, read from the packed file and sealed on a helper
 * thread while the one before it is sent. */
typedef struct
{
  StpSyncRun *run;
  FILE       *file;
  const char *id;
  gint64      n;
  gint64      n_chunks;
  gsize       chunk_bytes;
  char       *body;       /* {"ct":"<base64>"} */
  GError     *error;
} ChunkBody;

static gpointer
seal_chunk (gpointer data)
{
  ChunkBody *cb = data;
  g_autofree guint8 *buf = g_malloc (cb->chunk_bytes);
  gsize len = fread (buf, 1, cb->chunk_bytes, cb->file);
  g_autoptr(GBytes) ct = NULL;
  g_autofree char *b64 = NULL;

  if (len == 0 && ferror (cb->file))
    {
      g_set_error (&cb->error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, "%s", g_strerror (errno));
      return cb;
    }
  if (!(ct = stp_snapshot_seal (cb->run->key, cb->run->center, cb->id, cb->n, cb->n_chunks,
                                buf, len, &cb->error)))
    return cb;
  b64 = stp_base64_encode (g_bytes_get_data (ct, NULL), g_bytes_get_size (ct));
  cb->body = g_strconcat ("{\"ct\":\"", b64, "\"}", NULL);
  return cb;
}

static ChunkBody *
chunk_body_new (StpSyncRun *run,
                FILE       *file,
                const char *id,
                gint64      n,
                gint64      n_chunks,
                gsize       chunk_bytes)
{
  ChunkBody *cb = g_new0 (ChunkBody, 1);

  cb->run = run;
  cb->file = file;
  cb->id = id;
  cb->n = n;
  cb->n_chunks = n_chunks;
  cb->chunk_bytes = chunk_bytes;
  return cb;
}

static void
chunk_body_free (ChunkBody *cb)
{
  if (cb == NULL)
    return;
  g_free (cb->body);
  g_clear_error (&cb->error);
  g_free (cb);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChunkBody, chunk_body_free)

/* Announces the snapshot with its sealed manifest, sends the sealed
 * chunks of the packed file (chunk N + 1 is read and sealed beside the
 * sending of chunk N) and commits it. */
static gboolean
send_snapshot (StpSyncRun    *run,
               Outgoing      *out,
               gsize          chunk_bytes,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *manifest_json = stp_snapshot_manifest_to_json (&out->manifest);
  g_autofree char *manifest_b64 = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(ChunkBody) next = NULL;
  gint64 n_chunks = out->manifest.chunks;
  FILE *file;
  gboolean ok = FALSE;

  if (!(sealed = stp_snapshot_seal (run->key, run->center, id, STP_SNAPSHOT_MANIFEST, n_chunks,
                                    (const guint8 *) manifest_json, strlen (manifest_json), error)))
    return FALSE;
  manifest_b64 = stp_base64_encode (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  body = g_strdup_printf ("{\"id\":\"%s\",\"seq\":%" G_GINT64_FORMAT ",\"chunks\":%" G_GINT64_FORMAT
                          ",\"bytes\":%" G_GINT64_FORMAT ",\"manifest\":\"%s\"}",
                          id, out->manifest.seq, n_chunks,
                          out->packed_bytes + n_chunks * STP_SNAPSHOT_SEAL_OVERHEAD, manifest_b64);
  path = g_strdup_printf ("/v1/centers/%s/snapshots", run->center);
  if (!(file = g_fopen (out->packed_path, "rb")))
    {
      g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, "%s: %s", out->packed_path,
                   g_strerror (errno));
      return FALSE;
    }
  /* The first chunk is sealed while the snapshot is announced. */
  {
    GThread *helper;
    gboolean posted;

    next = chunk_body_new (run, file, id, 0, n_chunks, chunk_bytes);
    helper = g_thread_new ("stp-snapshot-seal", seal_chunk, next);
    posted = post (run, path, body, SOUP_STATUS_CREATED, cancellable, error);
    g_thread_join (helper);
    if (!posted)
      goto out;
  }
  for (gint64 n = 0; n < n_chunks; n++)
    {
      g_autoptr(ChunkBody) current = g_steal_pointer (&next);
      g_autofree char *chunk_path = NULL;
      GThread *helper = NULL;
      gboolean posted;

      if (current->error != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&current->error), "%s: ",
                                      out->packed_path);
          goto out;
        }
      if (n + 1 < n_chunks)
        {
          next = chunk_body_new (run, file, id, n + 1, n_chunks, chunk_bytes);
          helper = g_thread_new ("stp-snapshot-seal", seal_chunk, next);
        }
      chunk_path = g_strdup_printf ("/v1/centers/%s/snapshots/%s/chunks/%" G_GINT64_FORMAT,
                                    run->center, id, n);
      posted = post (run, chunk_path, current->body, SOUP_STATUS_OK, cancellable, error);
      if (helper != NULL)
        g_thread_join (helper);
      if (!posted)
        goto out;
    }
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v1/centers/%s/snapshots/%s/commit", run->center, id);
  ok = post (run, path, "{}", SOUP_STATUS_OK, cancellable, error);

out:
  fclose (file);
  return ok;
}

void
_stp_sync_run_make_snapshot (StpSyncRun   *run,
                             GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  Outgoing out = { 0, };
  Latest latest = { 0, };
  gsize chunk_bytes;
  gint64 threshold;
  gint64 t_start = g_get_monotonic_time ();
  gint64 t_packed;
  StpSyncClock clock;

  if (run->snapshot_min_bytes == 0)
    return;
  out.db_path = snapshot_temp_path (run, ".snapshot-out");
  out.packed_path = snapshot_temp_path (run, ".snapshot-out.zst");
  if (!fetch_latest (run, &latest, cancellable, &error) || !latest.supported)
    goto out;
  threshold = MAX ((gint64) run->snapshot_min_bytes, latest.have ? latest.bytes / 2 : 0);
  if (latest.log_bytes_after < threshold)
    goto out;
  if (!pack_snapshot (run, &latest, &out, &error))
    goto out;
  t_packed = g_get_monotonic_time ();
  _stp_sync_clock_start (&clock);

  /* Each sealed chunk, base64'd in its JSON body, fits the body limit. */
  chunk_bytes = MIN (run->max_body > 1024 ? (run->max_body - 256) / 4 * 3 : DEFAULT_BATCH_BYTES,
                     SNAPSHOT_CHUNK_BYTES) - STP_SNAPSHOT_SEAL_OVERHEAD;
  out.manifest.chunks = MAX (1, (out.packed_bytes + (gint64) chunk_bytes - 1) / (gint64) chunk_bytes);
  if (out.manifest.chunks > STP_SNAPSHOT_MAX_CHUNKS)
    {
      g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, "too many chunks");
      goto out;
    }
  if (!send_snapshot (run, &out, chunk_bytes, cancellable, &error))
    goto out;
  _stp_sync_clock_phase (&clock, "snapshot out: seal, send");
  run->snapshot_out = TRUE;
  g_debug ("snapshot out: %" G_GINT64_FORMAT " bytes packed to %" G_GINT64_FORMAT
           " in %" G_GINT64_FORMAT " chunks, seq %" G_GINT64_FORMAT
           "; %.2f s copying and packing, %.2f s sending",
           out.manifest.raw_bytes, out.packed_bytes, out.manifest.chunks, out.manifest.seq,
           (t_packed - t_start) / 1e6, (g_get_monotonic_time () - t_packed) / 1e6);

out:
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("No snapshot was sent to the server: %s", error->message);
  remove_snapshot_files (out.db_path);
  remove_file (out.packed_path);
  g_free (out.db_path);
  g_free (out.packed_path);
  stp_snapshot_manifest_clear (&out.manifest);
  stp_sync_latest_clear (&latest);
}
