/* stp-server.h: the HTTPS relay (SoupServer) over a StpServerStore. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "stp-server-store.h"

G_BEGIN_DECLS

#define STP_SERVER_DEFAULT_MAX_BODY_BYTES (8 * 1024 * 1024)
#define STP_SERVER_DEFAULT_MAX_PULL_LIMIT 1000
#define STP_SERVER_DEFAULT_MAX_PULL_BYTES (8 * 1024 * 1024)
#define STP_SERVER_DEFAULT_WORKERS        4
#define STP_SERVER_MAX_WORKERS            64
#define STP_SERVER_DEFAULT_PULL_LIMIT     100
#define STP_SERVER_DEFAULT_ENROLL_RATE    10      /* attempts per minute per address */
#define STP_SERVER_MAX_FUTURE_MILLIS      (G_GINT64_CONSTANT (24) * 3600 * 1000)
#define STP_SERVER_CODE_VALID_HOURS       72
#define STP_SERVER_DEFAULT_MAX_SNAPSHOT_BYTES (G_GINT64_CONSTANT (4) * 1024 * 1024 * 1024)
#define STP_SERVER_MAX_SNAPSHOT_CHUNKS    100000
#define STP_SERVER_MAX_MANIFEST_CHARS     65536
#define STP_SERVER_MAX_CONFIG_BYTES       (1024 * 1024)

typedef struct
{
  char    *path;                  /* the file it was read from */
  char    *listen;
  guint    port;
  char    *state_dir;
  char    *database;
  char    *tls_certificate;
  char    *tls_key;
  gsize    max_body_bytes;
  gint64   max_snapshot_bytes;
  guint    max_pull_limit;
  gsize    max_pull_bytes;        /* a pull reply stops growing past this */
  guint    workers;               /* request threads, one database connection each */
  guint    enroll_attempts_per_minute;
  char    *admin_password_hash;
} StpServerConfig;

StpServerConfig *stp_server_config_load  (const char       *path,
                                          GError          **error);
gboolean         stp_server_config_set_admin_password (StpServerConfig *config,
                                          const char       *password,
                                          GError          **error);
void             stp_server_config_free  (StpServerConfig  *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpServerConfig, stp_server_config_free)

char            *stp_server_certificate_fingerprint (GTlsCertificate *certificate);
gboolean         stp_server_make_dev_certificate (const char  *cert_path,
                                                  const char  *key_path,
                                                  GError     **error);

char            *stp_server_generate_code (void);
char            *stp_server_normalize_code (const char *code);

typedef struct _StpServer StpServer;

/* One HTTP request, apart from any socket: what the router reads and
 * what it answers (stp-server-private.h). */
typedef struct _StpRequest StpRequest;

StpRequest      *stp_request_new         (const char         *method,
                                          const char         *path,
                                          GHashTable         *query,
                                          SoupMessageHeaders *headers,
                                          GBytes             *body,
                                          const char         *remote_host);
void             stp_request_free        (StpRequest       *request);
guint            stp_request_get_status  (StpRequest       *request);
GBytes          *stp_request_get_response (StpRequest      *request,
                                          const char      **content_type);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpRequest, stp_request_free)

StpServer       *stp_server_new          (StpServerConfig  *config,
                                          StpServerStore   *store,
                                          GTlsCertificate  *certificate);
gboolean         stp_server_listen       (StpServer        *self,
                                          guint             port,
                                          guint            *port_out,
                                          GError          **error);
void             stp_server_free         (StpServer        *self);
guint            stp_server_get_n_workers (StpServer       *self);
/* Answers @request in the calling thread with @store; no socket involved. */
void             stp_server_dispatch     (StpServer        *self,
                                          StpRequest       *request,
                                          StpServerStore   *store);

G_END_DECLS
