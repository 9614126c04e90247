/* sync-fixture.h: the GTest fixture test-sync.c and test-exchange.c share:
 * one real stupeni-server per backend (started on first use, kept for the
 * whole program), a temporary folder, a new center with its first
 * enrollment code, and up to six client databases with their engines.
 *
 * Include after sync-harness.h, with SYNC_FX_DIR_TEMPLATE defined to the
 * g_dir_make_tmp() template of the program's folders.  The program sets
 * server_binary from its arguments and destroys servers[] at the end. */
#pragma once

#include "sync-harness.h"

#ifndef SYNC_FX_DIR_TEMPLATE
#error "define SYNC_FX_DIR_TEMPLATE before including sync-fixture.h"
#endif

static char *server_binary;
static Server servers[2] = { { "sqlite" }, { "postgresql" } };
static gboolean server_failed[2];

typedef struct
{
  char          *path;
  StpStore      *store;
  StpSyncEngine *engine;
} Client;

typedef struct
{
  Server  *server;
  char    *dir;
  char    *center;
  char    *code;
  Client   clients[6];
  guint    n_clients;
} Fx;

/* The server of @backend ("sqlite" or "postgresql"), or NULL when it
 * cannot start here (then it is not tried again). */
G_GNUC_UNUSED static Server *
get_server (const char *backend)
{
  guint i = g_str_equal (backend, "sqlite") ? 0 : 1;

  if (servers[i].process != NULL)
    return &servers[i];
  if (server_failed[i])
    return NULL;
  server_failed[i] = TRUE;
  if (!h_server_start (&servers[i], server_binary, 65536))
    return NULL;
  server_failed[i] = FALSE;
  return &servers[i];
}

G_GNUC_UNUSED static void
fx_setup (Fx            *fx,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = get_server (data);
  fx->dir = g_dir_make_tmp (SYNC_FX_DIR_TEMPLATE, &error);
  g_assert_no_error (error);
  if (fx->server != NULL)
    fx->center = h_new_center (fx->server, &fx->code);
}

G_GNUC_UNUSED static void
client_close (Client *c)
{
  g_clear_object (&c->engine);
  g_clear_object (&c->store);
}

G_GNUC_UNUSED static void
fx_teardown (Fx            *fx,
             gconstpointer  data)
{
  for (guint i = 0; i < fx->n_clients; i++)
    {
      client_close (&fx->clients[i]);
      g_free (fx->clients[i].path);
    }
  h_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->center);
  g_free (fx->code);
}

/* FALSE, and the test skipped, when the fixture's backend cannot run. */
G_GNUC_UNUSED static gboolean
need_server (Fx *fx)
{
  if (fx->server == NULL)
    {
      g_test_skip ("this server backend cannot run here (PostgreSQL 15 binaries missing?)");
      return FALSE;
    }
  return TRUE;
}

G_GNUC_UNUSED static void
client_open (Client *c)
{
  g_autoptr(GError) error = NULL;

  c->store = stp_store_open (c->path, &error);
  g_assert_no_error (error);
  c->engine = stp_sync_engine_new (c->store);
}

/* A new device database, not enrolled. */
G_GNUC_UNUSED static Client *
new_client (Fx *fx)
{
  Client *c = &fx->clients[fx->n_clients];
  g_autofree char *name = g_strdup_printf ("client-%u.db", fx->n_clients);

  g_assert_cmpuint (fx->n_clients, <, G_N_ELEMENTS (fx->clients));
  fx->n_clients++;
  c->path = g_build_filename (fx->dir, name, NULL);
  client_open (c);
  return c;
}

typedef struct
{
  const char *name;
  void      (*func) (Fx *, gconstpointer);
} FxCase;

/* Adds each of @cases once per backend, as "/@prefix/BACKEND/NAME", runs
 * the tests and stops the servers; g_test_run()'s status. */
G_GNUC_UNUSED static int
fx_run (const char   *prefix,
        const FxCase *cases,
        guint         n_cases)
{
  static const char *backends[] = { "sqlite", "postgresql" };
  int status;

  for (guint b = 0; b < G_N_ELEMENTS (backends); b++)
    for (guint i = 0; i < n_cases; i++)
      {
        g_autofree char *path = g_strdup_printf ("/%s/%s/%s", prefix, backends[b], cases[i].name);
        g_test_add (path, Fx, backends[b], fx_setup, cases[i].func, fx_teardown);
      }

  status = g_test_run ();
  h_server_destroy (&servers[0]);
  h_server_destroy (&servers[1]);
  return status;
}
