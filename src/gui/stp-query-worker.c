#define G_LOG_DOMAIN "stp-query-worker"

#include "config.h"

#include "stp-query-worker.h"

struct _StpQueryWorker
{
  GObject   parent_instance;

  GMutex    lock;      /* one query at a time on @store */
  StpStore *store;     /* the worker's own connection */
};

G_DEFINE_FINAL_TYPE (StpQueryWorker, stp_query_worker, G_TYPE_OBJECT)

typedef struct
{
  StpQueryWorker *worker;
  StpQueryFunc    func;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->worker);
  if (run->data_free != NULL)
    run->data_free (run->data);
  g_free (run);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Run *run = task_data;
  StpQueryWorker *self = run->worker;
  GError *error = NULL;
  gpointer result = NULL;

  g_mutex_lock (&self->lock);
  if (!g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      /* A cancelled run stops inside its statements too: the whole list
       * (some 100 ms to a second on a big center) does not hold back the
       * search of the key typed after it. */
      stp_store_set_cancellable (self->store, cancellable);
      result = run->func (self->store, run->data, &error);
      stp_store_set_cancellable (self->store, NULL);
    }
  g_mutex_unlock (&self->lock);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, run->result_free);
}

void
stp_query_worker_run_async (StpQueryWorker      *self,
                            gpointer             source_object,
                            StpQueryFunc         func,
                            gpointer             data,
                            GDestroyNotify       data_free,
                            GDestroyNotify       result_free,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (STP_IS_QUERY_WORKER (self));
  g_return_if_fail (func != NULL);

  run = g_new0 (Run, 1);
  run->worker = g_object_ref (self);
  run->func = func;
  run->data = data;
  run->data_free = data_free;
  run->result_free = result_free;
  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, stp_query_worker_run_async);
  /* The caller sees a cancelled run's result and frees it its own way. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_run_in_thread (task, run_thread);
}

gpointer
stp_query_worker_run_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == stp_query_worker_run_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
stp_query_worker_run_get_data (GAsyncResult *result)
{
  Run *run = g_task_get_task_data (G_TASK (result));

  return run->data;
}

StpStore *
stp_query_worker_get_store (StpQueryWorker *self)
{
  g_return_val_if_fail (STP_IS_QUERY_WORKER (self), NULL);
  return self->store;
}

static void
stp_query_worker_finalize (GObject *object)
{
  StpQueryWorker *self = STP_QUERY_WORKER (object);

  g_clear_object (&self->store);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (stp_query_worker_parent_class)->finalize (object);
}

static void
stp_query_worker_class_init (StpQueryWorkerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_query_worker_finalize;
}

static void
stp_query_worker_init (StpQueryWorker *self)
{
  g_mutex_init (&self->lock);
}

StpQueryWorker *
stp_query_worker_get_for_store (StpStore  *store,
                                GError   **error)
{
  StpQueryWorker *self;
  StpStore *connection;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_get_data (G_OBJECT (store), "stp-query-worker");
  if (self != NULL)
    return self;
  connection = stp_store_open_secondary (store, error);
  if (connection == NULL)
    return NULL;
  self = g_object_new (STP_TYPE_QUERY_WORKER, NULL);
  self->store = connection;
  g_object_set_data_full (G_OBJECT (store), "stp-query-worker", self, g_object_unref);
  return self;
}
