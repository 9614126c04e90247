/* stp-server-exchange.c: exchange files on the server side
 * (stp-server-exchange.h). */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-exchange.h"
#include "stp-server.h"
#include "stp-exchange-file.h"

#include <glib/gi18n-lib.h>

/* What a pull page holds at most when writing a file. */
#define EXPORT_PAGE_ROWS  1000
#define EXPORT_PAGE_BYTES (8 * 1024 * 1024)

typedef struct
{
  GHashTable *devices;    /* device id -> "0" or "1" (revoked), of the center */
  GArray     *items;      /* StpServerPushItem */
  GPtrArray  *strings;    /* what the items point to */
} ImportJob;

static gboolean
check_envelope (const StpEnvelope  *envelope,
                const char         *envelope_json,
                gint64              seq,
                gpointer            user_data,
                GError            **error)
{
  ImportJob *job = user_data;
  const char *revoked = g_hash_table_lookup (job->devices, envelope->device);
  StpServerPushItem item = { 0 };

  if (revoked == NULL)
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                   _("The exchange file holds changes of a computer that is not enrolled in this "
                     "center (%s). Nothing was imported."), envelope->device);
      return FALSE;
    }
  if (g_str_equal (revoked, "1"))
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
                   _("The exchange file holds changes of a revoked computer (%s). "
                     "Nothing was imported."), envelope->device);
      return FALSE;
    }
  /* As a push: a clock far ahead would put these changes above every
   * later edit of the center. */
  if (STP_HLC_MILLIS (envelope->hlc) > (guint64) (stp_server_now_millis () + STP_SERVER_MAX_FUTURE_MILLIS))
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
                   _("The exchange file holds changes dated more than a day ahead of this server's "
                     "clock (computer %s): correct that computer's clock and write the file again. "
                     "Nothing was imported."), envelope->device);
      return FALSE;
    }
  item.msg_id = g_strdup (envelope->msg_id);
  item.device = g_strdup (envelope->device);
  item.key_id = g_strdup (envelope->key_id);
  item.body = g_strdup (envelope_json);
  item.hlc = (gint64) envelope->hlc;
  item.schema = envelope->schema;
  g_ptr_array_add (job->strings, (char *) item.msg_id);
  g_ptr_array_add (job->strings, (char *) item.device);
  g_ptr_array_add (job->strings, (char *) item.key_id);
  g_ptr_array_add (job->strings, (char *) item.body);
  g_array_append_val (job->items, item);
  return TRUE;
}

/* The devices of @center, or NULL (with @error) when it does not exist. */
static GHashTable *
center_devices (StpServerStore  *store,
                const char      *center,
                GError         **error)
{
  g_autoptr(StpServerResult) rows = NULL;
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) local_error = NULL;
  GHashTable *devices;

  if (!stp_server_store_get_center (store, center, &name, &key, &local_error))
    {
      if (g_error_matches (local_error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND))
        g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                     _("The exchange file belongs to a center this server does not have (%s). "
                       "Nothing was imported."), center);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!(rows = stp_server_store_list_devices (store, error)))
    return NULL;
  devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint r = 0; r < rows->n_rows; r++)
    if (g_strcmp0 (stp_server_result_get (rows, r, 1), center) == 0)
      g_hash_table_insert (devices, g_strdup (stp_server_result_get (rows, r, 0)),
                           g_strdup (g_strcmp0 (stp_server_result_get (rows, r, 4), "0") == 0 ||
                                     g_strcmp0 (stp_server_result_get (rows, r, 4), "f") == 0
                                     ? "0" : "1"));
  return devices;
}

/* The center named in the file's first line, without checking the rest. */
static char *
peek_center (const char  *path,
             GError     **error)
{
  g_autoptr(StpExchangeInfo) info = NULL;

  /* A read without callbacks checks the whole file too. */
  if (!(info = stp_exchange_file_read (path, NULL, NULL, NULL, NULL, error)))
    return NULL;
  return g_strdup (info->center);
}

int
stp_server_exchange_import (StpServerStore *store,
                            const char     *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpExchangeInfo) info = NULL;
  g_autofree char *center = NULL;
  ImportJob job = { 0 };
  gint64 first = 0, last = 0;
  guint added = 0;
  int status = 1;

  job.items = g_array_new (FALSE, TRUE, sizeof (StpServerPushItem));
  job.strings = g_ptr_array_new_with_free_func (g_free);
  if (!(center = peek_center (path, &error)) ||
      !(job.devices = center_devices (store, center, &error)) ||
      !(info = stp_exchange_file_read (path, center, check_envelope, NULL, &job, &error)))
    goto out;
  if (job.items->len > 0)
    {
      g_auto(StpServerSnapshot) snapshot = { 0 };
      gint64 before = 0;
      gint64 log_bytes = 0;

      /* The center's head before, to tell new envelopes from known ones. */
      if (!stp_server_store_latest_snapshot (store, center, &snapshot, &before, &log_bytes, &error))
        goto out;
      if (!stp_server_store_push (store, center, (StpServerPushItem *) (void *) job.items->data,
                                  job.items->len, stp_server_now_millis (), &error))
        goto out;
      for (guint i = 0; i < job.items->len; i++)
        {
          gint64 seq = g_array_index (job.items, StpServerPushItem, i).seq;

          if (seq > before)
            added++;
          first = i == 0 ? seq : MIN (first, seq);
          last = MAX (last, seq);
        }
    }
  g_print ("center_id: %s\n", center);
  g_print ("batches: %u\n", job.items->len);
  g_print ("new: %u\n", added);
  g_print ("seqs: %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "\n", first, last);
  status = 0;

out:
  if (error != NULL)
    g_printerr ("%s\n", error->message);
  g_clear_pointer (&job.devices, g_hash_table_unref);
  g_array_unref (job.items);
  g_ptr_array_unref (job.strings);
  return status;
}

int
stp_server_exchange_export (StpServerStore *store,
                            const char     *center,
                            gint64          after,
                            const char     *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpExchangeWriter) writer = NULL;
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  gboolean more = TRUE;
  gint64 cursor = MAX (after, 0);

  if (!stp_server_store_get_center (store, center, &name, &key, &error))
    goto fail;
  if (!(writer = stp_exchange_writer_new (path, center, "server", &error)))
    goto fail;
  while (more)
    {
      g_autoptr(StpServerResult) page = stp_server_store_pull (store, center, cursor, EXPORT_PAGE_ROWS,
                                                               EXPORT_PAGE_BYTES, &more, &error);

      if (page == NULL)
        goto fail;
      for (guint r = 0; r < page->n_rows; r++)
        {
          cursor = g_ascii_strtoll (stp_server_result_get (page, r, 0), NULL, 10);
          if (!stp_exchange_writer_add_json (writer, stp_server_result_get (page, r, 1), cursor, &error))
            goto fail;
        }
      if (page->n_rows == 0)
        break;
    }
  {
    guint count = stp_exchange_writer_get_count (writer);

    if (!stp_exchange_writer_finish (writer, &error))
      goto fail;
    g_print ("center_id: %s\n", center);
    g_print ("batches: %u\n", count);
    g_print ("last_seq: %" G_GINT64_FORMAT "\n", cursor);
  }
  return 0;

fail:
  g_printerr ("%s\n", error->message);
  return 1;
}
