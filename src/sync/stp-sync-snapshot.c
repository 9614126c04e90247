#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-snapshot.h"
#include "stp-sync-engine.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

/* Level 1: about 0.4 GB/s here, and a database compresses to a tenth or
 * so; higher levels cost seconds for little. */
#define COMPRESSION_LEVEL 1
#define BLOCK             (1024 * 1024)

static void
set_file_error (GError     **error,
                const char  *path,
                int          saved_errno)
{
  g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
               _("The snapshot file %s could not be written or read: %s"),
               path, g_strerror (saved_errno));
}

gboolean
stp_sync_snapshot_compress (const char   *db_path,
                            const char   *out_path,
                            guint8        hash[32],
                            gint64       *raw_bytes,
                            gint64       *packed_bytes,
                            GError      **error)
{
  FILE *in = NULL;
  FILE *out = NULL;
  ZSTD_CCtx *cctx = NULL;
  crypto_generichash_state state;
  g_autofree guint8 *in_buf = g_malloc (BLOCK);
  gsize out_cap = ZSTD_CStreamOutSize ();
  g_autofree guint8 *out_buf = g_malloc (out_cap);
  gboolean ok = FALSE;
  gboolean last = FALSE;

  *raw_bytes = 0;
  *packed_bytes = 0;
  if (!(in = g_fopen (db_path, "rb")))
    {
      set_file_error (error, db_path, errno);
      goto out;
    }
  if (!(out = g_fopen (out_path, "wb")))
    {
      set_file_error (error, out_path, errno);
      goto out;
    }
  cctx = ZSTD_createCCtx ();
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_compressionLevel, COMPRESSION_LEVEL);
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_checksumFlag, 1);
  /* Compression in two threads beside the reading (ignored by a libzstd
   * built without them). */
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_nbWorkers, 2);
  crypto_generichash_init (&state, NULL, 0, 32);

  while (!last)
    {
      gsize n = fread (in_buf, 1, BLOCK, in);
      ZSTD_inBuffer input = { in_buf, n, 0 };
      gboolean finished = FALSE;

      if (n < BLOCK)
        {
          if (ferror (in))
            {
              set_file_error (error, db_path, errno);
              goto out;
            }
          last = TRUE;
        }
      crypto_generichash_update (&state, in_buf, n);
      *raw_bytes += (gint64) n;
      while (!finished)
        {
          ZSTD_outBuffer output = { out_buf, out_cap, 0 };
          gsize left = ZSTD_compressStream2 (cctx, &output, &input,
                                             last ? ZSTD_e_end : ZSTD_e_continue);

          if (ZSTD_isError (left))
            {
              g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                           _("The snapshot could not be compressed: %s"), ZSTD_getErrorName (left));
              goto out;
            }
          if (output.pos > 0 && fwrite (out_buf, 1, output.pos, out) != output.pos)
            {
              set_file_error (error, out_path, errno);
              goto out;
            }
          *packed_bytes += (gint64) output.pos;
          finished = last ? left == 0 : input.pos == input.size;
        }
    }
  crypto_generichash_final (&state, hash, 32);
  if (fclose (g_steal_pointer (&out)) != 0)
    {
      set_file_error (error, out_path, errno);
      goto out;
    }
  ok = TRUE;

out:
  if (in != NULL)
    fclose (in);
  if (out != NULL)
    fclose (out);
  ZSTD_freeCCtx (cctx);
  if (!ok)
    g_remove (out_path);
  return ok;
}

/* The writer decompresses on the caller's thread into blocks; a thread of
 * its own hashes and writes each full block meanwhile.  A few blocks go
 * round between the two (a bounded pipeline: the caller waits for a free
 * block when the disk is slower). */
#define WRITER_BLOCK   (1024 * 1024)
#define WRITER_BLOCKS  4

typedef struct
{
  guint8 *data;
  gsize   len;     /* 0 with data == NULL: the end */
} Block;

struct _StpSnapshotWriter
{
  char                      *path;
  FILE                      *file;
  ZSTD_DCtx                 *dctx;
  crypto_generichash_state   state;     /* the writer thread's */
  gint64                     written;
  gint64                     max_bytes;
  gsize                      frame_left;   /* 0: the stream ended cleanly */
  Block                     *block;        /* being filled; NULL: take a free one */
  GAsyncQueue               *free_blocks;
  GAsyncQueue               *full_blocks;
  GThread                   *thread;
  int                        write_errno;  /* set by the thread; read after joining */
  gint                       failed;       /* atomic */
};

static gpointer
writer_thread (gpointer data)
{
  StpSnapshotWriter *writer = data;

  for (;;)
    {
      Block *block = g_async_queue_pop (writer->full_blocks);

      if (block->data == NULL)
        {
          g_free (block);
          break;
        }
      if (!g_atomic_int_get (&writer->failed))
        {
          crypto_generichash_update (&writer->state, block->data, block->len);
          if (fwrite (block->data, 1, block->len, writer->file) != block->len)
            {
              writer->write_errno = errno;
              g_atomic_int_set (&writer->failed, TRUE);
            }
        }
      block->len = 0;
      g_async_queue_push (writer->free_blocks, block);
    }
  return NULL;
}

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->data);
  g_free (block);
}

StpSnapshotWriter *
stp_snapshot_writer_new (const char  *path,
                         gint64       max_bytes,
                         GError     **error)
{
  StpSnapshotWriter *writer = g_new0 (StpSnapshotWriter, 1);

  writer->path = g_strdup (path);
  writer->max_bytes = max_bytes;
  writer->file = g_fopen (path, "wb");
  if (writer->file == NULL)
    {
      set_file_error (error, path, errno);
      stp_snapshot_writer_free (writer);
      return NULL;
    }
  writer->dctx = ZSTD_createDCtx ();
  writer->frame_left = 1;
  crypto_generichash_init (&writer->state, NULL, 0, 32);
  writer->free_blocks = g_async_queue_new_full (block_free);
  writer->full_blocks = g_async_queue_new_full (block_free);
  for (guint i = 0; i < WRITER_BLOCKS; i++)
    {
      Block *block = g_new0 (Block, 1);

      block->data = g_malloc (WRITER_BLOCK);
      g_async_queue_push (writer->free_blocks, block);
    }
  writer->thread = g_thread_new ("stp-snapshot-write", writer_thread, writer);
  return writer;
}

/* Hands the block being filled to the writer thread. */
static void
writer_flush (StpSnapshotWriter *writer)
{
  if (writer->block == NULL || writer->block->len == 0)
    return;
  g_async_queue_push (writer->full_blocks, g_steal_pointer (&writer->block));
}

/* Waits for the writer thread to write everything and end. */
static void
writer_join (StpSnapshotWriter *writer)
{
  if (writer->thread == NULL)
    return;
  writer_flush (writer);
  g_async_queue_push (writer->full_blocks, g_new0 (Block, 1));
  g_thread_join (g_steal_pointer (&writer->thread));
}

gboolean
stp_snapshot_writer_feed (StpSnapshotWriter  *writer,
                          const guint8       *data,
                          gsize               len,
                          GError            **error)
{
  ZSTD_inBuffer input = { data, len, 0 };
  gboolean full = FALSE;

  /* A full output buffer may leave decoded bytes inside zstd: call again
   * until it returns less, even when all the input was taken. */
  while (input.pos < input.size || full)
    {
      ZSTD_outBuffer output;
      gsize left;

      if (writer->frame_left == 0)
        {
          if (input.pos == input.size)
            break;
          g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("The snapshot has data after its end"));
          return FALSE;
        }
      if (g_atomic_int_get (&writer->failed))
        {
          writer_join (writer);
          set_file_error (error, writer->path, writer->write_errno);
          return FALSE;
        }
      if (writer->block == NULL)
        writer->block = g_async_queue_pop (writer->free_blocks);
      output.dst = writer->block->data + writer->block->len;
      output.size = WRITER_BLOCK - writer->block->len;
      output.pos = 0;
      left = ZSTD_decompressStream (writer->dctx, &output, &input);
      if (ZSTD_isError (left))
        {
          g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                       _("The snapshot could not be decompressed: %s"), ZSTD_getErrorName (left));
          return FALSE;
        }
      writer->frame_left = left;
      writer->written += (gint64) output.pos;
      if (writer->written > writer->max_bytes)
        {
          g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("The snapshot is larger than its description says"));
          return FALSE;
        }
      full = output.pos == output.size;
      writer->block->len += output.pos;
      if (writer->block->len == WRITER_BLOCK)
        writer_flush (writer);
    }
  return TRUE;
}

gboolean
stp_snapshot_writer_finish (StpSnapshotWriter  *writer,
                            guint8              hash[32],
                            gint64             *raw_bytes,
                            GError            **error)
{
  FILE *file;

  writer_join (writer);
  file = g_steal_pointer (&writer->file);
  if (writer->failed)
    {
      fclose (file);
      set_file_error (error, writer->path, writer->write_errno);
      return FALSE;
    }
  if (fclose (file) != 0)
    {
      set_file_error (error, writer->path, errno);
      return FALSE;
    }
  if (writer->frame_left != 0)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The snapshot ends too early"));
      return FALSE;
    }
  crypto_generichash_final (&writer->state, hash, 32);
  *raw_bytes = writer->written;
  return TRUE;
}

void
stp_snapshot_writer_free (StpSnapshotWriter *writer)
{
  if (writer == NULL)
    return;
  writer_join (writer);
  if (writer->file != NULL)
    fclose (writer->file);
  ZSTD_freeDCtx (writer->dctx);
  g_clear_pointer (&writer->block, block_free);
  g_clear_pointer (&writer->free_blocks, g_async_queue_unref);
  g_clear_pointer (&writer->full_blocks, g_async_queue_unref);
  g_free (writer->path);
  g_free (writer);
}
