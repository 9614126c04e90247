/* stp-query-worker.h: the background worker of the list pages (residents,
 * follow-ups, referrals): their queries run on a worker thread, on a store
 * connection of the worker's own, one query at a time.
 *
 * The window's connection belongs to the main thread and is opened without
 * SQLite's mutex: a query is never run on it from a worker.  When the
 * worker's connection cannot be opened, the pages say so instead. */
#pragma once

#include <gio/gio.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_QUERY_WORKER (stp_query_worker_get_type ())

G_DECLARE_FINAL_TYPE (StpQueryWorker, stp_query_worker, STP, QUERY_WORKER, GObject)

/* Runs on the worker thread with the worker's connection; returns the
 * result (freed with the @result_free given to the run) or NULL with
 * @error. */
typedef gpointer (*StpQueryFunc) (StpStore      *store,
                                  gpointer       data,
                                  GError       **error);

/* The worker of @store (the window's connection), made on first use and
 * shared by its pages; NULL with @error when no connection of its own can
 * be opened. */
StpQueryWorker *stp_query_worker_get_for_store (StpStore            *store,
                                                GError             **error);
/* The worker's connection (tests: it is never the window's). */
StpStore       *stp_query_worker_get_store     (StpQueryWorker      *self);

/* Runs @func (@data) on the worker; @callback gets @source_object as its
 * source.  A run whose @cancellable was cancelled before it started
 * returns G_IO_ERROR_CANCELLED; one cancelled later still returns its
 * result (the caller decides what to do with it). */
void            stp_query_worker_run_async     (StpQueryWorker      *self,
                                                gpointer             source_object,
                                                StpQueryFunc         func,
                                                gpointer             data,
                                                GDestroyNotify       data_free,
                                                GDestroyNotify       result_free,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gpointer        stp_query_worker_run_finish    (GAsyncResult        *result,
                                                GError             **error);
/* The @data given to the run of @result. */
gpointer        stp_query_worker_run_get_data  (GAsyncResult        *result);

G_END_DECLS
