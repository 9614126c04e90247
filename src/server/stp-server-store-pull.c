/* stp-server-store-pull.c: a page of a center's envelopes (GET …/pull and
 * `stupeni-server export`), read within a bound in bytes.
 *
 * The bodies go from the database to the caller one at a time, without a
 * copy in between: a 14 MB page used to be read twice (once to learn the
 * sizes, since SQLite's LENGTH() of a TEXT value reads all of it) and
 * copied four times before a byte of it was sent. */
#define G_LOG_DOMAIN "stp-server-store"

#include "config.h"

#include "stp-server-store-private.h"

/* Reply bytes beyond the bodies: {"envelopes":[…],"last_seq":N,"more":false}
 * once, and {"envelope":…,"seq":N}, per envelope. */
#define PULL_PAGE_OVERHEAD 64
#define PULL_ROW_OVERHEAD  40

typedef struct
{
  StpServerPullFunc  func;
  gpointer           user_data;
  guint              limit;
  gsize              max_bytes;
  gsize              total;
  guint              n;
  gint64             last;
  gboolean           full;        /* a row did not fit */
  gboolean           stopped;     /* func said stop */
} Walk;

static gboolean
walk_row (const char * const *values,
          const gsize        *lengths,
          gpointer            user_data)
{
  Walk *walk = user_data;
  gsize size = lengths[1] + PULL_ROW_OVERHEAD;

  if (walk->n > 0 && walk->total + size > walk->max_bytes)
    {
      walk->full = TRUE;
      return FALSE;
    }
  walk->total += size;
  walk->n++;
  walk->last = g_ascii_strtoll (values[0], NULL, 10);
  if (!walk->func (walk->last, values[1] != NULL ? values[1] : "", lengths[1], walk->user_data))
    {
      walk->stopped = TRUE;
      return FALSE;
    }
  return walk->n < walk->limit;
}

/* PostgreSQL: the sizes first (octet_length reads no body), then only the
 * bodies that fit. */
static gboolean
pull_sized (StpServerStore  *store,
            const char      *center,
            const char      *after_text,
            Walk            *walk,
            gboolean        *more,
            GError         **error)
{
  g_autofree char *limit_text = g_strdup_printf ("%u", walk->limit + 1);
  g_autofree char *last_text = NULL;
  g_autoptr(StpServerResult) sizes = NULL;
  const char *params[] = { center, after_text, limit_text };
  gsize total = PULL_PAGE_OVERHEAD;
  guint n = 0;

  sizes = _stp_server_store_query (store,
                                   "SELECT seq, octet_length(body) FROM envelopes WHERE center = $1 AND seq > $2 "
                                   "ORDER BY seq LIMIT $3", params, 3, error);
  if (sizes == NULL)
    return FALSE;
  while (n < sizes->n_rows && n < walk->limit)
    {
      gsize size = (gsize) g_ascii_strtoull (stp_server_result_get (sizes, n, 1), NULL, 10)
                   + PULL_ROW_OVERHEAD;

      if (n > 0 && total + size > walk->max_bytes)
        break;
      total += size;
      n++;
    }
  *more = n < sizes->n_rows;
  if (n == 0)
    return TRUE;

  last_text = g_strdup (stp_server_result_get (sizes, n - 1, 0));
  walk->max_bytes = G_MAXSIZE;   /* chosen above */
  walk->limit = n;
  {
    const char *body_params[] = { center, after_text, last_text };

    return _stp_server_store_query_rows (store,
                                         "SELECT seq, body FROM envelopes WHERE center = $1 AND seq > $2 "
                                         "AND seq <= $3 ORDER BY seq", body_params, 3, walk_row, walk, error);
  }
}

/* SQLite: one pass over the rows in order, stopping at the first that does
 * not fit (that one body is read for nothing; SQLite holds it, not us). */
static gboolean
pull_walking (StpServerStore  *store,
              const char      *center,
              const char      *after_text,
              Walk            *walk,
              gboolean        *more,
              GError         **error)
{
  g_autofree char *limit_text = g_strdup_printf ("%u", walk->limit);
  const char *params[] = { center, after_text, limit_text };

  if (!_stp_server_store_query_rows (store,
                                     "SELECT seq, body FROM envelopes WHERE center = $1 AND seq > $2 "
                                     "ORDER BY seq LIMIT $3", params, 3, walk_row, walk, error))
    return FALSE;
  if (walk->full || walk->stopped)
    *more = TRUE;
  else if (walk->n < walk->limit)
    *more = FALSE;
  else
    {
      /* A full page by count: is there a next row?  The index answers. */
      g_autofree char *last_text = g_strdup_printf ("%" G_GINT64_FORMAT, walk->last);
      const char *next_params[] = { center, last_text };
      g_autoptr(StpServerResult) next = NULL;

      next = _stp_server_store_query (store,
                                      "SELECT seq FROM envelopes WHERE center = $1 AND seq > $2 "
                                      "ORDER BY seq LIMIT 1", next_params, 2, error);
      if (next == NULL)
        return FALSE;
      *more = next->n_rows > 0;
    }
  return TRUE;
}

gboolean
stp_server_store_pull_each (StpServerStore    *store,
                            const char        *center,
                            gint64             after,
                            guint              limit,
                            gsize              max_bytes,
                            StpServerPullFunc  func,
                            gpointer           user_data,
                            gboolean          *more,
                            GError           **error)
{
  g_autofree char *after_text = g_strdup_printf ("%" G_GINT64_FORMAT, after);
  Walk walk = {
    .func = func, .user_data = user_data, .limit = MAX (limit, 1),
    .max_bytes = max_bytes, .total = PULL_PAGE_OVERHEAD,
  };

  *more = FALSE;
  if (store->vtable->body_size_is_cheap)
    return pull_sized (store, center, after_text, &walk, more, error);
  return pull_walking (store, center, after_text, &walk, more, error);
}

static gboolean
collect_row (gint64      seq,
             const char *body,
             gsize       length,
             gpointer    user_data)
{
  GPtrArray *cells = user_data;

  g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT, seq));
  g_ptr_array_add (cells, g_strndup (body, length));
  return TRUE;
}

StpServerResult *
stp_server_store_pull (StpServerStore  *store,
                       const char      *center,
                       gint64           after,
                       guint            limit,
                       gsize            max_bytes,
                       gboolean        *more,
                       GError         **error)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  StpServerResult *result;

  if (!stp_server_store_pull_each (store, center, after, limit, max_bytes, collect_row, cells,
                                   more, error))
    return NULL;
  result = g_new0 (StpServerResult, 1);
  result->n_cols = 2;
  result->n_rows = cells->len / 2;
  g_ptr_array_set_free_func (cells, NULL);
  result->cells = (char **) g_ptr_array_free (g_steal_pointer (&cells), FALSE);
  return result;
}
