/* stp-server-store-private.h: the helpers stp-server-store.c (the store,
 * devices, push and pull) and stp-server-store-snapshots.c (snapshots)
 * share.  Only for src/server. */
#pragma once

#include "stp-server-store.h"

G_BEGIN_DECLS



/* stp-server-store.c */
StpServerResult *_stp_server_store_query (StpServerStore      *store,
                                          const char          *sql,
                                          const char * const  *params,
                                          guint                n_params,
                                          GError             **error);

gboolean _stp_server_store_query_rows (StpServerStore      *store,
                                       const char          *sql,
                                       const char * const  *params,
                                       guint                n_params,
                                       StpServerRowFunc     func,
                                       gpointer             user_data,
                                       GError             **error);

gboolean _stp_server_store_exec (StpServerStore      *store,
                                 const char          *sql,
                                 const char * const  *params,
                                 guint                n_params,
                                 GError             **error);

gboolean _stp_server_store_begin (StpServerStore  *store,
                                  GError         **error);

gboolean _stp_server_store_commit (StpServerStore  *store,
                                   GError         **error);

void _stp_server_store_rollback (StpServerStore *store);

G_END_DECLS
