/* stp-server-store-push.c: storing pushed envelopes, with group commit.
 *
 * SQLite has one writer at a time and syncs its WAL at every COMMIT
 * (synchronous = FULL), so pushes that each commit alone are bounded by
 * the disk's sync rate, however many workers there are.  Pushes to one
 * SQLite database therefore share transactions: the first push to arrive
 * becomes the leader, takes the write mutex, and then stores every push
 * that has queued meanwhile, each inside a SAVEPOINT of its own (a failed
 * push is rolled back alone), and commits them all with one sync.  The
 * others wait until the leader has committed.
 *
 * Durability is unchanged: no push returns (and so none is answered)
 * before the COMMIT that holds it has returned, i.e. before its WAL frames
 * are synced.  A crash before that COMMIT loses only pushes that were not
 * yet acknowledged, which the clients send again (msg_id makes that
 * idempotent).
 *
 * PostgreSQL takes row locks per center and groups concurrent commits'
 * WAL flushes itself, so there each push commits alone. */
#define G_LOG_DOMAIN "stp-server-store"

#include "config.h"

#include "stp-server-store-private.h"

#include <glib/gi18n-lib.h>

/* Stores @items inside the open transaction. */
static gboolean
push_items (StpServerStore     *store,
            const char         *center,
            StpServerPushItem  *items,
            guint               n_items,
            gint64              now,
            GError            **error)
{
  g_autoptr(StpServerResult) counter = NULL;
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  const char *center_params[] = { center };
  gint64 next_seq;

  /* Taking the counter row first locks it (PostgreSQL row lock, SQLite's
   * write lock) until the commit, so pushes to one center are serialized
   * and seq order is commit order: a reader never sees seq N+1 before N. */
  counter = _stp_server_store_query (store,
                                     "UPDATE center_counters SET next_seq = next_seq WHERE center = $1 "
                                     "RETURNING next_seq", center_params, 1, error);
  if (counter == NULL)
    return FALSE;
  if (counter->n_rows == 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                           _("No such center"));
      return FALSE;
    }
  next_seq = g_ascii_strtoll (stp_server_result_get (counter, 0, 0), NULL, 10);

  for (guint i = 0; i < n_items; i++)
    {
      StpServerPushItem *item = &items[i];
      g_autoptr(StpServerResult) existing = NULL;
      const char *lookup[] = { center, item->msg_id };

      existing = _stp_server_store_query (store, "SELECT seq FROM envelopes WHERE center = $1 AND msg_id = $2",
                                          lookup, 2, error);
      if (existing == NULL)
        return FALSE;

      if (existing->n_rows > 0)
        {
          /* A repeated msg_id keeps the seq it already has. */
          item->seq = g_ascii_strtoll (stp_server_result_get (existing, 0, 0), NULL, 10);
        }
      else
        {
          g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, next_seq);
          g_autofree char *hlc = g_strdup_printf ("%" G_GINT64_FORMAT, item->hlc);
          g_autofree char *schema = g_strdup_printf ("%" G_GINT64_FORMAT, item->schema);
          const char *params[] = { center, seq, item->msg_id, item->device, hlc, schema,
                                   item->key_id, item->body, now_text };

          if (!_stp_server_store_exec (store,
                                       "INSERT INTO envelopes (center, seq, msg_id, device, hlc, schema, key_id, "
                                       "body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                                       params, 9, error))
            return FALSE;
          item->seq = next_seq++;
        }
    }

  {
    g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, next_seq);
    const char *params[] = { center, next };

    return _stp_server_store_exec (store, "UPDATE center_counters SET next_seq = $2 WHERE center = $1",
                                   params, 2, error);
  }
}

static gboolean
push_alone (StpServerStore     *store,
            const char         *center,
            StpServerPushItem  *items,
            guint               n_items,
            gint64              now,
            GError            **error)
{
  if (!_stp_server_store_begin (store, error))
    return FALSE;
  if (!push_items (store, center, items, n_items, now, error) ||
      !_stp_server_store_commit (store, error))
    {
      _stp_server_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* Group commit */

typedef struct
{
  const char        *center;
  StpServerPushItem *items;
  guint              n_items;
  gint64             now;
  GError            *error;
  gboolean           done;
} PushJob;

typedef struct
{
  GPtrArray *pending;           /* PushJob *, not yet taken by a leader */
  gboolean   has_leader;
} PushGroup;

static GMutex groups_lock;
static GCond groups_cond;
static GHashTable *groups;      /* database name -> PushGroup; lives as long as the process */

/* The leader, with the write mutex held: every job of @batch in one
 * transaction, each in a savepoint. */
static void
run_batch (StpServerStore *store,
           GPtrArray      *batch)
{
  g_autoptr(GError) commit_error = NULL;
  guint n_stored = 0;

  for (guint i = 0; i < batch->len; i++)
    {
      PushJob *job = g_ptr_array_index (batch, i);

      if (!_stp_server_store_exec (store, "SAVEPOINT push", NULL, 0, &job->error))
        continue;
      if (push_items (store, job->center, job->items, job->n_items, job->now, &job->error))
        {
          if (_stp_server_store_exec (store, "RELEASE push", NULL, 0, &job->error))
            n_stored++;
        }
      else
        {
          g_autoptr(GError) error = NULL;

          if (!_stp_server_store_exec (store, "ROLLBACK TO push", NULL, 0, &error) ||
              !_stp_server_store_exec (store, "RELEASE push", NULL, 0, &error))
            g_warning ("Rolling a failed push back: %s", error->message);
        }
    }

  if (_stp_server_store_commit (store, &commit_error))
    return;

  _stp_server_store_rollback (store);
  for (guint i = 0; i < batch->len; i++)
    {
      PushJob *job = g_ptr_array_index (batch, i);

      if (job->error == NULL)
        job->error = g_error_copy (commit_error);
    }
}

static void
lead (StpServerStore *store,
      PushGroup      *group)
{
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GError) error = NULL;
  gboolean begun;

  group->has_leader = TRUE;
  g_mutex_unlock (&groups_lock);

  /* Pushes that arrive while the leader waits for the write mutex join
   * this batch. */
  begun = _stp_server_store_begin (store, &error);

  g_mutex_lock (&groups_lock);
  batch = g_steal_pointer (&group->pending);
  group->pending = g_ptr_array_new ();
  g_mutex_unlock (&groups_lock);

  if (begun)
    run_batch (store, batch);
  else
    for (guint i = 0; i < batch->len; i++)
      ((PushJob *) g_ptr_array_index (batch, i))->error = g_error_copy (error);

  g_mutex_lock (&groups_lock);
  for (guint i = 0; i < batch->len; i++)
    ((PushJob *) g_ptr_array_index (batch, i))->done = TRUE;
  group->has_leader = FALSE;
  g_cond_broadcast (&groups_cond);
}

gboolean
stp_server_store_push (StpServerStore     *store,
                       const char         *center,
                       StpServerPushItem  *items,
                       guint               n_items,
                       gint64              now,
                       GError            **error)
{
  const char *key = NULL;
  PushJob job = { center, items, n_items, now, NULL, FALSE };
  PushGroup *group;

  static gsize alone_only = 0;

  /* STUPENI_SERVER_NO_GROUP_COMMIT=1: every push commits alone, for
   * comparing in bench/bench-server-load.c. */
  if (g_once_init_enter (&alone_only))
    g_once_init_leave (&alone_only, g_strcmp0 (g_getenv ("STUPENI_SERVER_NO_GROUP_COMMIT"), "1") == 0 ? 2 : 1);

  if (alone_only == 1 && store->vtable->write_lock != NULL && store->vtable->group_key != NULL)
    key = store->vtable->group_key (store);
  /* Alone also inside another transaction: the batch needs its own. */
  if (key == NULL || store->holds_write_lock)
    return push_alone (store, center, items, n_items, now, error);

  g_mutex_lock (&groups_lock);
  if (groups == NULL)
    groups = g_hash_table_new (g_str_hash, g_str_equal);
  group = g_hash_table_lookup (groups, key);
  if (group == NULL)
    {
      group = g_new0 (PushGroup, 1);
      group->pending = g_ptr_array_new ();
      g_hash_table_insert (groups, g_strdup (key), group);
    }
  g_ptr_array_add (group->pending, &job);
  while (!job.done)
    {
      if (!group->has_leader)
        lead (store, group);
      else
        g_cond_wait (&groups_cond, &groups_lock);
    }
  g_mutex_unlock (&groups_lock);

  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }
  return TRUE;
}
