/* stp-server-private.h: what the parts of the server share.
 *
 * stp-server.c is the HTTP side: the worker pool, the routing table, the
 * request log and the helpers below; stp-server-sync.c, stp-server-snapshots.c
 * and stp-server-admin.c hold the handlers.  A handler sees only a
 * StpRequest (no socket, no SoupServerMessage) and the database connection
 * of the worker that runs it, so it can run in any thread, and the fuzzer
 * can feed requests to the router in-process.
 */
#pragma once

#include "stp-server.h"

#include "stp-envelope.h"
#include "stp-wrapped-key.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define MAX_ENVELOPES_PER_PUSH 10000
#define MAX_AGGREGATE_COUNTS   500
#define TOUCH_INTERVAL_MILLIS  60000

struct _StpServer
{
  StpServerConfig *config;         /* unowned */
  StpServerStore  *store;          /* unowned; one of the workers' connections */
  SoupServer      *soup;
  GMainContext    *context;        /* where SoupServer runs */
  GThreadPool     *workers;        /* small requests */
  GThreadPool     *bulk_workers;   /* pulls and snapshot chunks read, at a lower priority */
  GAsyncQueue     *idle_stores;    /* connections no worker holds right now */
  GPtrArray       *own_stores;     /* opened here, freed here */
  guint            n_workers;
  guint            n_bulk_workers;

  GMutex           lock;           /* guards the members below */
  GHashTable      *enroll_windows; /* remote address -> RateWindow */
  GHashTable      *last_touch;     /* device id -> gint64 millis */
  guint            crash_after_push;
  guint            pushes_committed;
};

struct _StpRequest
{
  /* What came in */
  char               *method;
  char               *path;
  GHashTable         *query;          /* may be NULL */
  SoupMessageHeaders *request_headers;
  GBytes             *body;
  char               *remote_host;

  /* While a worker handles it */
  StpServerStore     *store;
  gboolean            bulk_lane;      /* in the bulk pool (or there is none) */
  gboolean            wants_bulk_lane; /* the handler stopped: run it again there */

  /* What goes out */
  guint               status;
  char               *content_type;
  GBytes             *response;
  GPtrArray          *pieces;         /* GBytes, instead of response for a large reply */
  SoupMessageHeaders *response_headers;
  char               *center;         /* for the log line, when known */
};

/* Bounds on request bodies, one per kind of request (docs/PROTOCOL.md,
 * "Limits"); the body as a whole is already within max_body_bytes. */
extern const StpJsonLimits stp_server_enroll_limits;
extern const StpJsonLimits stp_server_key_limits;
extern const StpJsonLimits stp_server_aggregate_limits;
extern const StpJsonLimits stp_server_push_limits;
extern const StpJsonLimits stp_server_snapshot_limits;

/* Short names inside the server's files. */
#define respond_text      stp_server_respond_text
#define respond_node      stp_server_respond_node
#define respond_builder   stp_server_respond_builder
#define respond_error     stp_server_respond_error
#define respond_internal  stp_server_respond_internal
#define read_json_body    stp_server_read_json_body
#define expect_object     stp_server_expect_object
#define authenticate      stp_server_authenticate

void        stp_server_respond_text     (StpRequest          *msg,
                                         guint                status,
                                         const char          *content_type,
                                         char                *text);   /* (transfer full) */
/* stp-server-http.c: SoupServer's handlers and the pools' functions. */
void        stp_server_handle_early     (SoupServer          *server,
                                         SoupServerMessage   *msg,
                                         const char          *path,
                                         GHashTable          *query,
                                         gpointer             user_data);
void        stp_server_handle_request   (SoupServer          *server,
                                         SoupServerMessage   *msg,
                                         const char          *path,
                                         GHashTable          *query,
                                         gpointer             user_data);
void        stp_server_run_job          (gpointer             job,
                                         gpointer             user_data);
void        stp_server_run_bulk_job     (gpointer             job,
                                         gpointer             user_data);

void        stp_server_respond_pieces   (StpRequest          *msg,
                                         guint                status,
                                         const char          *content_type,
                                         GPtrArray           *pieces); /* (transfer full), of GBytes */
void        stp_server_respond_node     (StpRequest          *msg,
                                         guint                status,
                                         JsonNode            *node);
void        stp_server_respond_builder  (StpRequest          *msg,
                                         guint                status,
                                         JsonBuilder         *builder);
void        stp_server_respond_error    (StpRequest          *msg,
                                         guint                status,
                                         const char          *code,
                                         const char          *message);
void        stp_server_respond_internal (StpRequest          *msg,
                                         GError              *error);
JsonNode   *stp_server_read_json_body   (StpRequest          *msg,
                                         const StpJsonLimits *limits);
JsonObject *stp_server_expect_object    (StpRequest          *msg,
                                         JsonNode            *node,
                                         const char * const  *members);
gboolean    stp_server_authenticate     (StpServer           *self,
                                         StpRequest          *msg,
                                         const char          *center,
                                         StpServerDevice     *device);

/* stp-server-sync.c */
void stp_server_handle_info       (StpServer *self, StpRequest *msg);
void stp_server_handle_enroll     (StpServer *self, StpRequest *msg);
void stp_server_handle_key        (StpServer *self, StpRequest *msg, const char *center,
                                   const char *method);
void stp_server_handle_push       (StpServer *self, StpRequest *msg, const char *center);
void stp_server_handle_pull       (StpServer *self, StpRequest *msg, const char *center,
                                   GHashTable *query);
void stp_server_handle_aggregates (StpServer *self, StpRequest *msg, const char *center);

/* stp-server-snapshots.c */
void stp_server_handle_snapshot_create    (StpServer *self, StpRequest *msg, const char *center);
void stp_server_handle_snapshot_put_chunk (StpServer *self, StpRequest *msg, const char *center,
                                           const char *id, const char *n_text);
void stp_server_handle_snapshot_commit    (StpServer *self, StpRequest *msg, const char *center,
                                           const char *id);
void stp_server_handle_snapshot_latest    (StpServer *self, StpRequest *msg, const char *center);
void stp_server_handle_snapshot_get_chunk (StpServer *self, StpRequest *msg, const char *center,
                                           const char *id, const char *n_text);

/* stp-server-admin.c */
void stp_server_handle_summary (StpServer *self, StpRequest *msg, gboolean csv);

G_END_DECLS
