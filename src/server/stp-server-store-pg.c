#define G_LOG_DOMAIN "stp-server-pg"

#include "config.h"

#include "stp-server-store.h"
#include "stp-server-store-schema.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

typedef struct
{
  StpServerStore  parent;
  PGconn         *conn;
} StpServerStorePg;

static void
set_error (StpServerStorePg  *self,
           GError           **error)
{
  g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (self->conn)));

  g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
               _("Database error: %s"), message);
}

static void
pg_free (StpServerStore *store)
{
  StpServerStorePg *self = (StpServerStorePg *) store;

  g_clear_pointer (&self->conn, PQfinish);
  g_free (self);
}

static gboolean
pg_exec_script (StpServerStore  *store,
                const char      *sql,
                GError         **error)
{
  StpServerStorePg *self = (StpServerStorePg *) store;
  PGresult *res = PQexec (self->conn, sql);
  gboolean ok = PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK;

  if (!ok)
    set_error (self, error);
  PQclear (res);
  return ok;
}

static StpServerResult *
pg_query (StpServerStore      *store,
          const char          *sql,
          const char * const  *params,
          guint                n_params,
          GError             **error)
{
  StpServerStorePg *self = (StpServerStorePg *) store;
  StpServerResult *result;
  PGresult *res;
  ExecStatusType status;

  res = PQexecParams (self->conn, sql, (int) n_params, NULL, params, NULL, NULL, 0);
  status = PQresultStatus (res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_error (self, error);
      PQclear (res);
      return NULL;
    }

  result = g_new0 (StpServerResult, 1);
  result->n_rows = (guint) PQntuples (res);
  result->n_cols = (guint) PQnfields (res);
  result->cells = g_new0 (char *, (gsize) result->n_rows * result->n_cols + 1);
  for (guint r = 0; r < result->n_rows; r++)
    for (guint c = 0; c < result->n_cols; c++)
      if (!PQgetisnull (res, (int) r, (int) c))
        result->cells[r * result->n_cols + c] = g_strdup (PQgetvalue (res, (int) r, (int) c));
  PQclear (res);
  return result;
}

/* Rows one at a time (libpq's single-row mode): a page of large bodies is
 * never held whole in a PGresult, only the row being handed over.  When
 * @func stops early the rest is still read (libpq needs the connection
 * drained before the next query) but each row is dropped as it comes. */
static gboolean
pg_query_rows (StpServerStore      *store,
               const char          *sql,
               const char * const  *params,
               guint                n_params,
               StpServerRowFunc     func,
               gpointer             user_data,
               GError             **error)
{
  StpServerStorePg *self = (StpServerStorePg *) store;
  const char *values[8];
  gsize lengths[8];
  PGresult *res;
  gboolean wanted = TRUE;
  gboolean ok = TRUE;

  if (!PQsendQueryParams (self->conn, sql, (int) n_params, NULL, params, NULL, NULL, 0) ||
      !PQsetSingleRowMode (self->conn))
    {
      set_error (self, error);
      /* A query that was sent must still be drained. */
      while ((res = PQgetResult (self->conn)) != NULL)
        PQclear (res);
      return FALSE;
    }
  while ((res = PQgetResult (self->conn)) != NULL)
    {
      ExecStatusType status = PQresultStatus (res);

      if (status == PGRES_SINGLE_TUPLE && wanted)
        {
          guint n_cols = (guint) PQnfields (res);

          g_assert (n_cols <= G_N_ELEMENTS (values));
          for (guint c = 0; c < n_cols; c++)
            {
              gboolean null = PQgetisnull (res, 0, (int) c);

              values[c] = null ? NULL : PQgetvalue (res, 0, (int) c);
              lengths[c] = null ? 0 : (gsize) PQgetlength (res, 0, (int) c);
            }
          wanted = func (values, lengths, user_data);
        }
      else if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK &&
               status != PGRES_COMMAND_OK && ok)
        {
          /* An error midway: the rows already handed over stay, the caller
           * fails the request. */
          set_error (self, error);
          ok = FALSE;
        }
      PQclear (res);
    }
  return ok;
}

static const StpServerStoreVTable pg_vtable = {
  .name = "postgresql",
  .begin_sql = "BEGIN",
  .setup_sql = "SET client_min_messages = warning;",
  /* Several server processes may start at once on one database. */
  .lock_sql = "SELECT pg_advisory_xact_lock(7862353160)",
  .free = pg_free,
  .exec_script = pg_exec_script,
  .query = pg_query,
  .query_rows = pg_query_rows,
  .body_size_is_cheap = TRUE,
};

StpServerStore *
stp_server_store_pg_open (const char  *conninfo,
                          GError     **error)
{
  StpServerStorePg *self = g_new0 (StpServerStorePg, 1);

  self->parent.vtable = &pg_vtable;
  self->conn = PQconnectdb (conninfo);
  if (self->conn == NULL || PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strchomp (g_strdup (self->conn != NULL
                                                       ? PQerrorMessage (self->conn)
                                                       : "out of memory"));

      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
                   _("Cannot connect to PostgreSQL: %s"), message);
      pg_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
