/* stp-sync-engine-aggregates.c: sending the center report numbers
 * ("section.key" -> value; no personal data; stages by kind only) in
 * plaintext with the device token.  Exact numbers are sent: the server
 * hides counts under 5 when it shows them (docs/PROTOCOL.md). */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine-private.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

typedef struct
{
  StpSyncClient *client;
  char          *path;
  char          *body;
} AggregatesJob;

static void
aggregates_job_free (AggregatesJob *job)
{
  g_clear_object (&job->client);
  g_free (job->path);
  g_free (job->body);
  g_free (job);
}

static void
aggregates_thread (GTask         *task,
                   gpointer       source,
                   gpointer       task_data,
                   GCancellable  *cancellable)
{
  AggregatesJob *job = task_data;
  GError *error = NULL;
  StpSyncReply reply;

  if (!stp_sync_client_request (job->client, SOUP_METHOD_POST, job->path, job->body,
                                strlen (job->body), &reply, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply.status != SOUP_STATUS_OK)
    {
      stp_sync_reply_set_error (&reply, &error);
      stp_sync_reply_clear (&reply);
      g_task_return_error (task, error);
      return;
    }
  stp_sync_reply_clear (&reply);
  g_task_return_boolean (task, TRUE);
}

static char *
aggregates_body (StpCenterStats *stats,
                 gint64          now_usec)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (now_usec / G_USEC_PER_SEC);
  g_autofree char *generated = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "period_from");
  json_builder_add_string_value (builder, stats->from);
  json_builder_set_member_name (builder, "period_to");
  json_builder_add_string_value (builder, stats->to);
  json_builder_set_member_name (builder, "generated_at");
  json_builder_add_string_value (builder, generated);
  json_builder_set_member_name (builder, "counts");
  json_builder_begin_object (builder);
  for (guint i = 0; stats->rows != NULL && i < stats->rows->len; i++)
    {
      StpStatRow *row = g_ptr_array_index (stats->rows, i);
      g_autofree char *name = g_strdup_printf ("%s.%s", row->section, row->key);

      /* Only numbers with a code name leave the computer; the server
       * hides small counts in the regional summary.  The per-stage
       * sections are keyed by this center's own stage ids, which mean
       * nothing in the region: the stages go by kind
       * (…_by_stage_kind), as the sending dialog says. */
      if (!stp_is_valid_id (name) || row->value < 0 || row->value > G_MAXINT32 ||
          g_str_equal (row->section, "in_program_by_stage") ||
          g_str_equal (row->section, "dropped_out_by_stage"))
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_int_value (builder, row->value);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

void
stp_sync_engine_send_aggregates_async (StpSyncEngine       *self,
                                       StpCenterStats      *stats,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  AggregatesJob *job;

  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (stats != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, stp_sync_engine_send_aggregates_async);
  if (!stp_sync_engine_is_enrolled (self))
    {
      g_task_return_new_error (task, STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED,
                               _("This computer is not connected to a sync server yet"));
      return;
    }
  if (self->store == NULL)
    {
      g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, _("The database is closed"));
      g_task_return_error (task, error);
      return;
    }
  job = g_new0 (AggregatesJob, 1);
  job->client = _stp_sync_engine_new_client (self);
  job->path = g_strdup_printf ("/v1/centers/%s/aggregates", self->center);
  job->body = aggregates_body (stats, stp_store_now (self->store));
  g_task_set_task_data (task, job, (GDestroyNotify) aggregates_job_free);
  g_task_run_in_thread (task, aggregates_thread);
}

gboolean
stp_sync_engine_send_aggregates_finish (StpSyncEngine  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
