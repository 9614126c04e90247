/* The sync engine against a hostile (or broken) server: a SoupServer with
 * TLS in this process answers every endpoint the client uses, correctly
 * until a case replaces one answer with a member of the wrong type, a
 * missing member, an array where an object belongs, a huge or negative
 * number, deep nesting, a truncated body or bad UTF-8.  Each must give an
 * StpSyncError (never a GLib critical or warning: the tests make them
 * fatal) and change nothing here: not enrolled after a refused enrollment,
 * the outbox kept after a refused push, the cursor and the data unchanged
 * after a refused pull.  Batches from "another device" are sealed with the
 * center key the server handed out, so a batch of the wrong form is
 * authenticated and reaches the batch reader (issue 14). */
#include "config.h"

#include "stp-protocol.h"
#include "stp-envelope.h"
#include "stp-wrapped-key.h"
/* The core's stp-hlc.h defines the same three. */
#undef STP_HLC_MAKE
#undef STP_HLC_MILLIS
#undef STP_HLC_COUNTER
#include "sync-harness.h"
#include "stp-sync-batch.h"

#include <libsoup/soup.h>

#define CENTER     "c-hostile"
#define DEVICE     "d-this"
#define OTHER      "d-other"
#define TOKEN      "tok-0123456789"
#define PASSPHRASE "пароль центра"
#define R1         "01890000-0000-7000-8000-0000000000a1"
#define R2         "01890000-0000-7000-8000-0000000000a2"

/* What a case replaces: the answer to requests whose path contains
 * @path (and, for the enrollment, only the "check" one or only the
 * other). */
typedef struct
{
  const char *path;
  int         enroll_check;   /* -1: any request; 0: not the check; 1: the check */
  guint       status;
  const char *body;
  gssize      len;            /* -1: strlen */
} Override;

static struct
{
  SoupServer      *soup;
  GTlsCertificate *certificate;
  char            *cert_dir;
  Server           server;     /* only url and fingerprint are used */
  guint8           key[32];
  char            *wrapped;    /* the wrapped key, JSON */
  GPtrArray       *envelopes;  /* char *, canonical JSON; seq = index + 1 */
  gint64           pushed;     /* seqs given to this device's pushes */
  const Override  *override;
  char            *dir;
  guint            n_files;
} hostile;

/* --- The server ------------------------------------------------------------- */

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *body,
            gssize             len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    len < 0 ? strlen (body) : (gsize) len);
}

static char *
pull_body (const char *query_after)
{
  gint64 after = query_after != NULL ? g_ascii_strtoll (query_after, NULL, 10) : 0;
  GString *out = g_string_new ("{\"envelopes\":[");
  gint64 last = after;

  for (gint64 seq = after + 1; seq <= (gint64) hostile.envelopes->len; seq++)
    {
      g_string_append_printf (out, "%s{\"envelope\":%s,\"seq\":%" G_GINT64_FORMAT "}",
                              seq > after + 1 ? "," : "",
                              (char *) hostile.envelopes->pdata[seq - 1], seq);
      last = seq;
    }
  g_string_append_printf (out, "],\"last_seq\":%" G_GINT64_FORMAT ",\"more\":false}", last);
  return g_string_free (out, FALSE);
}

static void
handle (SoupServer        *soup,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  const Override *o = hostile.override;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  gboolean check = request->data != NULL && strstr (request->data, "\"check\"") != NULL;
  g_autofree char *body = NULL;

  if (o != NULL && strstr (path, o->path) != NULL &&
      (o->enroll_check < 0 || o->enroll_check == check))
    {
      reply_json (msg, o->status, o->body, o->len);
      return;
    }
  if (g_str_equal (path, "/v1/info"))
    body = g_strdup_printf ("{\"protocol\":1,\"server_millis\":%" G_GINT64_FORMAT
                            ",\"max_body_bytes\":8388608}", g_get_real_time () / 1000);
  else if (g_str_equal (path, "/v1/enroll") && check)
    body = g_strdup_printf ("{\"center\":\"" CENTER "\",\"center_name\":\"Центр\",\"key\":%s}",
                            hostile.wrapped);
  else if (g_str_equal (path, "/v1/enroll"))
    body = g_strdup_printf ("{\"center\":\"" CENTER "\",\"center_name\":\"Центр\",\"device\":\"" DEVICE
                            "\",\"device_number\":2,\"token\":\"" TOKEN "\",\"key\":%s}",
                            hostile.wrapped);
  else if (g_str_equal (path, "/v1/centers/" CENTER "/key"))
    body = g_strdup_printf ("{\"key\":%s}", hostile.wrapped);
  else if (g_str_equal (path, "/v1/centers/" CENTER "/push") && g_str_equal (method, "POST"))
    /* Seqs beyond the others' batches, one per push (one envelope each). */
    body = g_strdup_printf ("{\"results\":[{\"msg_id\":\"m\",\"seq\":%" G_GINT64_FORMAT "}]}",
                            1000 + ++hostile.pushed);
  else if (g_str_equal (path, "/v1/centers/" CENTER "/pull"))
    body = pull_body (query != NULL ? g_hash_table_lookup (query, "after") : NULL);
  else if (g_str_equal (path, "/v1/centers/" CENTER "/snapshots/latest"))
    body = g_strdup ("{\"head\":0,\"log_bytes_after\":0,\"snapshot\":null}");
  if (body == NULL)
    {
      reply_json (msg, 404, "{\"error\":\"not_found\",\"message\":\"no\"}", -1);
      return;
    }
  reply_json (msg, 200, body, -1);
}

static void
make_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr(GByteArray) der = NULL;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
                         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                         "-subj", "/CN=localhost", "-keyout", NULL, "-out", NULL, NULL };

  hostile.cert_dir = g_dir_make_tmp ("stupeni-hostile-cert-XXXXXX", &error);
  g_assert_no_error (error);
  cert_path = g_build_filename (hostile.cert_dir, "cert.pem", NULL);
  key_path = g_build_filename (hostile.cert_dir, "key.pem", NULL);
  argv[13] = key_path;
  argv[15] = cert_path;
  g_free (stp_test_run (argv, NULL));
  hostile.certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
  g_object_get (hostile.certificate, "certificate", &der, NULL);
  hostile.server.fingerprint = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpWrappedKey) wrapped = NULL;
  GSList *uris;

  make_certificate ();
  hostile.soup = soup_server_new ("tls-certificate", hostile.certificate, NULL);
  soup_server_add_handler (hostile.soup, NULL, handle, NULL, NULL);
  soup_server_listen_local (hostile.soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (hostile.soup);
  hostile.server.url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  stp_center_key_generate (hostile.key);
  wrapped = stp_wrapped_key_wrap ("key-1", hostile.key, PASSPHRASE, stp_wrapped_key_min_ops (),
                                  stp_wrapped_key_min_mem (), &error);
  g_assert_no_error (error);
  hostile.wrapped = stp_wrapped_key_to_json (wrapped);
  hostile.envelopes = g_ptr_array_new_with_free_func (g_free);
  hostile.dir = g_dir_make_tmp ("stupeni-hostile-XXXXXX", &error);
  g_assert_no_error (error);
}

/* Seals @plaintext as a batch of the other device and serves it next. */
static void
serve_batch (const guint8 *plaintext,
             gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg_id = g_strdup_printf (OTHER ".%u", hostile.envelopes->len + 1);
  g_autoptr(StpEnvelope) envelope = stp_envelope_new (CENTER, OTHER, msg_id,
                                                      STP_HLC_MAKE (g_get_real_time () / 1000, 0),
                                                      STP_SCHEMA_VERSION, "key-1");

  g_assert_true (stp_envelope_seal (envelope, hostile.key, plaintext, len, &error));
  g_assert_no_error (error);
  g_ptr_array_add (hostile.envelopes, stp_envelope_to_json (envelope));
}

/* A good batch of the other device: @field of @row set to @value. */
static void
serve_change (const char *row,
              const char *field,
              const char *value)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  StpChange *c = stp_change_new ();
  g_autoptr(GBytes) batch = NULL;
  guint64 max_hlc = 0;

  c->table = g_strdup ("residents");
  c->row_id = g_strdup (row);
  c->field = g_strdup (field);
  c->value = g_strdup (value);
  c->hlc = STP_HLC_MAKE (g_get_real_time () / 1000, hostile.envelopes->len);
  c->device = g_strdup (OTHER);
  g_ptr_array_add (changes, c);
  batch = stp_sync_batch_encode (changes, &max_hlc);
  serve_batch (g_bytes_get_data (batch, NULL), g_bytes_get_size (batch));
}

/* --- The client ------------------------------------------------------------- */

typedef struct
{
  char          *path;
  StpStore      *store;
  StpSyncEngine *engine;
} Client;

static void
client_open (Client *c)
{
  g_autoptr(GError) error = NULL;

  c->path = g_strdup_printf ("%s/client-%u.db", hostile.dir, hostile.n_files++);
  c->store = stp_store_open (c->path, &error);
  g_assert_no_error (error);
  c->engine = stp_sync_engine_new (c->store);
  stp_sync_engine_set_snapshot_min_bytes (c->engine, 0);
}

static void
client_close (Client *c)
{
  g_autofree char *wal = g_strconcat (c->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (c->path, "-shm", NULL);

  g_clear_object (&c->engine);
  g_clear_object (&c->store);
  g_remove (c->path);
  g_remove (wal);
  g_remove (shm);
  g_free (c->path);
}

static gboolean
enroll (Client  *c,
        GError **error)
{
  return h_enroll (c->engine, &hostile.server, "ABCD-EFGH", PASSPHRASE, error);
}

static gint64
cursor_of (Client *c)
{
  return stp_sync_store_get_cursor (c->store, "sync.cursor");
}

/* Enrolled, synced with the batches served so far. */
static void
client_ready (Client *c)
{
  g_autoptr(GError) error = NULL;

  client_open (c);
  hostile.override = NULL;
  g_assert_true (enroll (c, &error));
  g_assert_no_error (error);
  g_assert_true (h_sync (c->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cursor_of (c), ==, hostile.envelopes->len);
}

static void
assert_refused (const GError *error,
                int           code,
                const char   *label)
{
  if (error == NULL)
    g_error ("%s: accepted", label);
  if (!g_error_matches (error, STP_SYNC_ERROR, code))
    g_error ("%s: %s %d: %s (expected code %d)", label, g_quark_to_string (error->domain),
             error->code, error->message, code);
  g_test_message ("%s: %s", label, error->message);
}

/* 100 000 nested arrays: what kills a recursive parser. */
static char *
deep_nesting (void)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  return g_string_free (s, FALSE);
}

/* --- Enrollment --------------------------------------------------------------- */

static void
test_enroll (void)
{
  g_autofree char *deep = deep_nesting ();
  g_autofree char *wrong_key = g_strdup_printf ("{\"center\":\"" CENTER "\",\"device\":\"" DEVICE
                                                "\",\"token\":\"" TOKEN "\",\"key\":[%s]}",
                                                hostile.wrapped);
  const Override cases[] = {
    /* The check: */
    { "/v1/enroll", 1, 200, "{\"center\":{},\"key\":null}", -1 },
    { "/v1/enroll", 1, 200, "{\"center\":[\"" CENTER "\"],\"key\":null}", -1 },
    { "/v1/enroll", 1, 200, "{\"center\":\"" CENTER "\",\"key\":\"text\"}", -1 },
    { "/v1/enroll", 1, 200, "{\"center\":\"" CENTER "\",\"center_name\":7,\"key\":null}", -1 },
    { "/v1/enroll", 1, 200, "{\"center\":\"../admin\",\"key\":null}", -1 },
    { "/v1/enroll", 1, 200, "{\"key\":null}", -1 },
    { "/v1/enroll", 1, 200, "[]", -1 },
    { "/v1/enroll", 1, 200, deep, -1 },
    { "/v1/enroll", 1, 200, "{\"center\":\"" CENTER "\",\"ke", -1 },
    { "/v1/enroll", 1, 200, "{\"center\":\"\xff\xfe\"}", -1 },
    { "/v1/enroll", 1, 403, "{\"error\":[],\"message\":{}}", -1 },
    /* The enrollment itself, after a good check: */
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":123,\"token\":\"" TOKEN "\"}", -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\",\"token\":{\"a\":1}}", -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\"}", -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\",\"token\":\"a\\r\\nX: y\"}", -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\",\"token\":\"" TOKEN
                            "\",\"device_number\":\"2\"}", -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\",\"token\":\"" TOKEN
                            "\",\"device_number\":9223372036854775807}", -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\",\"token\":\"" TOKEN
                            "\",\"device_number\":-3}", -1 },
    { "/v1/enroll", 0, 200, wrong_key, -1 },
    { "/v1/enroll", 0, 200, "{\"center\":\"" CENTER "\",\"device\":\"" DEVICE "\",\"token\":\"" TOKEN
                            "\",\"key\":{\"key_id\":[]}}", -1 },
    { "/v1/enroll", 0, 200, "\"just a string\"", -1 },
    /* The information every contact starts with: */
    { "/v1/info", -1, 200, "{\"protocol\":[1]}", -1 },
    { "/v1/info", -1, 200, "{\"protocol\":1,\"server_millis\":{}}", -1 },
    { "/v1/info", -1, 200, "{\"protocol\":1,\"server_millis\":\"now\"}", -1 },
    { "/v1/info", -1, 200, "{\"protocol\":1,\"max_body_bytes\":-1}", -1 },
    { "/v1/info", -1, 200, "{}", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *label = g_strdup_printf ("enroll case %u (%s)", i, cases[i].path);
      Client c = { 0 };

      client_open (&c);
      hostile.override = &cases[i];
      g_assert_false (enroll (&c, &error));
      assert_refused (error, cases[i].status >= 500 ? STP_SYNC_ERROR_NETWORK
                             : cases[i].status == 403 ? STP_SYNC_ERROR_SERVER
                             : STP_SYNC_ERROR_SERVER, label);
      /* Nothing saved. */
      g_assert_false (stp_sync_engine_is_enrolled (c.engine));
      g_assert_cmpint (h_count (c.store, "SELECT count(*) FROM settings WHERE key LIKE 'sync.%'"), ==, 0);
      client_close (&c);
    }

  /* A device number beyond the codes (915) is the server's to give: the
   * code is made from the device id, with a message, not a warning. */
  {
    g_autofree char *body = g_strdup_printf ("{\"center\":\"" CENTER "\",\"device\":\"" DEVICE
                                             "\",\"token\":\"" TOKEN "\",\"device_number\":1000,"
                                             "\"key\":%s}", hostile.wrapped);
    const Override big = { "/v1/enroll", 0, 200, body, -1 };
    g_autoptr(GError) error = NULL;
    g_autofree char *code = NULL;
    Client c = { 0 };

    client_open (&c);
    hostile.override = &big;
    g_assert_true (enroll (&c, &error));
    g_assert_no_error (error);
    g_assert_true (stp_sync_engine_is_enrolled (c.engine));
    code = stp_test_text (c.store, "SELECT value FROM settings WHERE key = 'sync.device_number'");
    g_assert_cmpstr (code, ==, "1000");
    client_close (&c);
  }
  hostile.override = NULL;
}

/* --- Push ------------------------------------------------------------------------ */

static void
test_push (void)
{
  g_autofree char *deep = deep_nesting ();
  const Override cases[] = {
    { "/push", -1, 200, "{\"results\":{}}", -1 },
    { "/push", -1, 200, "{\"results\":[]}", -1 },
    { "/push", -1, 200, "{\"results\":[1]}", -1 },
    { "/push", -1, 200, "{\"results\":[[]]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"seq\":\"5\"}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"seq\":-1}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"seq\":0}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"seq\":1.5}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"seq\":1e300}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"seq\":null}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"error\":[]}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"msg_id\":\"m\",\"error\":5}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"seq\":1},{\"seq\":2}]}", -1 },
    { "/push", -1, 200, "{\"results\":[{\"seq\":1}", -1 },
    { "/push", -1, 200, deep, -1 },
    { "/push", -1, 200, "{\"results\":[{\"seq\":1,\"msg_id\":\"\xc3\x28\"}]}", -1 },
    { "/push", -1, 500, "{\"error\":{\"a\":[]},\"message\":[\"x\"]}", -1 },
  };
  Client c = { 0 };
  gsize pending;

  client_ready (&c);
  h_write (c.store, "residents", R1, "surname", "Иванов");
  pending = stp_sync_store_count_pending (c.store);
  g_assert_cmpuint (pending, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *label = g_strdup_printf ("push case %u", i);

      hostile.override = &cases[i];
      g_assert_false (h_sync (c.engine, &error));
      assert_refused (error, cases[i].status >= 500 ? STP_SYNC_ERROR_NETWORK : STP_SYNC_ERROR_SERVER,
                      label);
      /* The outbox is intact: nothing counts as stored. */
      g_assert_cmpuint (stp_sync_store_count_pending (c.store), ==, pending);
    }
  /* And a good answer takes it. */
  hostile.override = NULL;
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (h_sync (c.engine, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (stp_sync_store_count_pending (c.store), ==, 0);
  }
  client_close (&c);
}

/* --- Pull ------------------------------------------------------------------------ */

static void
test_pull (void)
{
  g_autofree char *deep = deep_nesting ();
  g_autofree char *next = NULL;
  g_autofree char *e3 = NULL;
  g_autofree char *wrong_seq = NULL;
  g_autofree char *no_envelope = NULL;
  g_autofree char *array_envelope = NULL;
  g_autofree char *backwards = NULL;
  g_autofree char *gap_last = NULL;
  Client c = { 0 };
  gint64 cursor;

  serve_change (R1, "surname", "Петров");
  serve_change (R1, "name", "Пётр");
  client_ready (&c);
  cursor = cursor_of (&c);
  g_assert_cmpint (cursor, ==, 2);
  /* The next batch exists on the server; the cases answer about it. */
  serve_change (R2, "surname", "Сидоров");
  e3 = g_strdup (hostile.envelopes->pdata[2]);
  wrong_seq = g_strdup_printf ("{\"envelopes\":[{\"envelope\":%s,\"seq\":\"3\"}],\"last_seq\":3,\"more\":false}", e3);
  no_envelope = g_strdup ("{\"envelopes\":[{\"seq\":3}],\"last_seq\":3,\"more\":false}");
  array_envelope = g_strdup_printf ("{\"envelopes\":[{\"envelope\":[%s],\"seq\":3}],\"last_seq\":3,\"more\":false}", e3);
  backwards = g_strdup_printf ("{\"envelopes\":[{\"envelope\":%s,\"seq\":1}],\"last_seq\":3,\"more\":false}", e3);
  gap_last = g_strdup_printf ("{\"envelopes\":[{\"envelope\":%s,\"seq\":3}],\"last_seq\":5000,\"more\":false}", e3);
  next = g_strdup_printf ("{\"envelopes\":[{\"envelope\":%s,\"seq\":3}],\"last_seq\":3,\"more\":[]}", e3);
  {
    const Override cases[] = {
      { "/pull", -1, 200, "{\"envelopes\":{},\"last_seq\":3,\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[1],\"last_seq\":3,\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[[]],\"last_seq\":3,\"more\":false}", -1 },
      { "/pull", -1, 200, no_envelope, -1 },
      { "/pull", -1, 200, array_envelope, -1 },
      { "/pull", -1, 200, wrong_seq, -1 },
      { "/pull", -1, 200, backwards, -1 },
      { "/pull", -1, 200, gap_last, -1 },
      { "/pull", -1, 200, next, -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"last_seq\":-5,\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"last_seq\":\"9\",\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"last_seq\":9223372036854775807,\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"last_seq\":1e30,\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"more\":false}", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"last_seq\":2,\"more\":\"no\"}", -1 },
      { "/pull", -1, 200, "[{\"envelopes\":[]}]", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[{\"envelope\":{\"v\":1", -1 },
      { "/pull", -1, 200, "{\"envelopes\":[],\"last_seq\":2,\"more\":false,\"x\":\"\xed\xa0\x80\"}", -1 },
      { "/pull", -1, 200, deep, -1 },
      { "/pull", -1, 502, "{\"error\":7,\"message\":false}", -1 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *label = g_strdup_printf ("pull case %u", i);
        g_autofree char *surname = NULL;

        hostile.override = &cases[i];
        g_assert_false (h_sync (c.engine, &error));
        assert_refused (error, cases[i].status >= 500 ? STP_SYNC_ERROR_NETWORK : STP_SYNC_ERROR_SERVER,
                        label);
        /* Nothing taken: the cursor stays, the third batch is not in. */
        g_assert_cmpint (cursor_of (&c), ==, cursor);
        surname = h_read (c.store, "residents", R2, "surname");
        g_assert_null (surname);
      }
  }
  /* A good answer brings the third batch. */
  hostile.override = NULL;
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *surname = NULL;

    g_assert_true (h_sync (c.engine, &error));
    g_assert_no_error (error);
    g_assert_cmpint (cursor_of (&c), ==, 3);
    surname = h_read (c.store, "residents", R2, "surname");
    g_assert_cmpstr (surname, ==, "Сидоров");
  }
  client_close (&c);
  g_ptr_array_set_size (hostile.envelopes, 0);
}

/* --- Batches of the wrong form, authenticated ---------------------------------- */

static guint
count_parked_batches (Client *c)
{
  return (guint) stp_sync_store_count_parked_batches (c->store);
}

/* A batch of the other device, sealed with the real key, whose plaintext
 * is not a batch of the right form: it authenticates, so a device of this
 * center wrote it, and it is parked whole (still sealed) while the pull
 * goes on past it: the good batches before and after it in the same page
 * are applied, the cursor reaches the end and the run succeeds, run after
 * run (docs/ARCHITECTURE.md, "Parking").  Nothing is lost: the parked
 * batches are counted, and tried again after every sync. */
static void
test_batches (void)
{
  static const char * const bad[] = {
    /* Format 1 read by the general reader: */
    "[{\"t\":[],\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":1,\"d\":\"" OTHER "\"}]",
    "[{\"t\":\"residents\",\"r\":{},\"f\":\"surname\",\"v\":\"x\",\"h\":1,\"d\":\"" OTHER "\"}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":[\"x\"],\"h\":1,\"d\":\"" OTHER "\"}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":\"1\",\"d\":\"" OTHER "\"}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":-1,\"d\":\"" OTHER "\"}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":1.5,\"d\":\"" OTHER "\"}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":1,\"d\":{\"x\":1}}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":1,\"d\":\"" OTHER "\",\"bh\":[]}]",
    "[{\"t\":\"residents\",\"r\":\"" R2 "\",\"f\":\"surname\",\"v\":\"x\",\"h\":1,\"d\":\"" OTHER "\",\"bd\":true}]",
    "[5]",
    "[[\"residents\"]]",
    /* Format 2: */
    "{\"format\":2,\"devices\":[1],\"rows\":[]}",
    "{\"format\":2,\"devices\":[\"" OTHER "\"],\"rows\":[[\"residents\",\"" R2 "\",[\"surname\",\"x\",-1,0]]]}",
    "{\"format\":2,\"devices\":[\"" OTHER "\"],\"rows\":[[\"residents\",\"" R2 "\",[\"surname\",\"x\",1,7]]]}",
    "{\"format\":\"2\"}",
    "{\"format\":2,\"devices\":{},\"rows\":[]}",
    /* Compressed, but not a deflate stream: */
    "STZ1\xff\xfe not deflate",
  };
  Client c = { 0 };

  serve_change (R1, "surname", "Петров");
  client_ready (&c);
  g_assert_cmpuint (count_parked_batches (&c), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *label = g_strdup_printf ("batch case %u", i);
      g_autofree char *value = g_strdup_printf ("Изменено %u", i);
      g_autofree char *after = g_strdup_printf ("после %u", i);

      g_test_message ("%s", label);
      /* A good batch before the bad one in the same page, one after. */
      serve_change (R1, "name", value);
      serve_batch ((const guint8 *) bad[i], strlen (bad[i]));
      serve_change (R2, "name", after);
      h_write (c.store, "residents", R1, "patronymic", value);
      for (int run = 0; run < 2; run++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *name = NULL;

          g_assert_true (h_sync (c.engine, &error));
          g_assert_no_error (error);
          g_assert_cmpint (stp_sync_engine_get_state (c.engine), ==, STP_SYNC_STATE_IDLE);
          /* Past the bad batch, and both good ones in. */
          g_assert_cmpint (cursor_of (&c), ==, hostile.envelopes->len);
          name = h_read (c.store, "residents", R1, "name");
          g_assert_cmpstr (name, ==, value);
          g_clear_pointer (&name, g_free);
          name = h_read (c.store, "residents", R2, "name");
          g_assert_cmpstr (name, ==, after);
          g_clear_pointer (&name, g_free);
          /* Nothing of the bad batch applied. */
          name = h_read (c.store, "residents", R2, "surname");
          g_assert_null (name);
          g_assert_cmpuint (stp_sync_store_count_pending (c.store), ==, 0);
          /* Kept, once, and shown. */
          g_assert_cmpuint (count_parked_batches (&c), ==, i + 1);
          g_assert_cmpuint (stp_sync_engine_get_parked_batches (c.engine), ==, i + 1);
        }
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) parked = stp_sync_store_list_parked_batches (c.store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (parked->len, ==, G_N_ELEMENTS (bad));
    for (guint i = 0; i < parked->len; i++)
      {
        StpParkedBatch *batch = parked->pdata[i];

        /* The sealed envelope as served, the bad batch of each triple. */
        g_assert_cmpint (batch->seq, ==, 3 + 3 * i);
        g_assert_cmpstr (batch->envelope, ==, hostile.envelopes->pdata[batch->seq - 1]);
        g_assert_cmpstr (batch->device, ==, OTHER);
        g_assert_cmpstr (batch->key_id, ==, "key-1");
        g_assert_true (strstr (batch->reason, "not readable") != NULL);
      }
  }
  client_close (&c);
  g_ptr_array_set_size (hostile.envelopes, 0);
}

/* A batch in a format newer than this version's is parked; once the
 * reader knows the format (here a test knob, in life an update) the next
 * sync applies it and removes it. */
static void
test_newer_format (void)
{
  g_autofree char *newer = NULL;
  g_autofree char *surname = NULL;
  g_autoptr(GError) error = NULL;
  Client c = { 0 };

  serve_change (R1, "surname", "Петров");
  client_ready (&c);
  newer = g_strdup_printf ("{\"format\":3,\"devices\":[\"" OTHER "\"],\"rows\":[[\"residents\",\""
                           R2 "\",[\"surname\",\"Новиков\",%" G_GUINT64_FORMAT ",0]]]}",
                           (guint64) STP_HLC_MAKE (g_get_real_time () / 1000, 0));
  serve_change (R1, "name", "до");
  serve_batch ((const guint8 *) newer, strlen (newer));
  serve_change (R2, "name", "после");
  for (int run = 0; run < 2; run++)
    {
      g_autofree char *name = NULL;

      g_assert_true (h_sync (c.engine, &error));
      g_assert_no_error (error);
      g_assert_cmpint (cursor_of (&c), ==, 4);
      name = h_read (c.store, "residents", R2, "name");
      g_assert_cmpstr (name, ==, "после");
      g_assert_null (h_read (c.store, "residents", R2, "surname"));
      g_assert_cmpuint (count_parked_batches (&c), ==, 1);
      g_assert_cmpuint (stp_sync_engine_get_parked_batches (c.engine), ==, 1);
    }
  /* "The update": this reader now reads format 3. */
  stp_sync_batch_set_extra_format_for_tests (3);
  g_assert_true (h_sync (c.engine, &error));
  stp_sync_batch_set_extra_format_for_tests (0);
  g_assert_no_error (error);
  surname = h_read (c.store, "residents", R2, "surname");
  g_assert_cmpstr (surname, ==, "Новиков");
  g_assert_cmpuint (count_parked_batches (&c), ==, 0);
  g_assert_cmpuint (stp_sync_engine_get_parked_batches (c.engine), ==, 0);
  g_assert_cmpint (cursor_of (&c), ==, 4);
  /* Each run's audit event says what happened to whole batches. */
  g_assert_cmpint (h_count (c.store, "SELECT count(*) FROM audit_events WHERE action = 'sync' AND "
                            "detail LIKE '%, unreadable batches parked 1, parked batches read 0, "
                            "left 1'"), ==, 1);
  g_assert_cmpint (h_count (c.store, "SELECT count(*) FROM audit_events WHERE action = 'sync' AND "
                            "detail LIKE '%, unreadable batches parked 0, parked batches read 0, "
                            "left 1'"), ==, 1);
  g_assert_cmpint (h_count (c.store, "SELECT count(*) FROM audit_events WHERE action = 'sync' AND "
                            "detail LIKE '%, unreadable batches parked 0, parked batches read 1, "
                            "left 0'"), ==, 1);
  client_close (&c);
  g_ptr_array_set_size (hostile.envelopes, 0);
}

/* A batch that does not authenticate (altered by the server, or sealed
 * with another key) did not come from a device of this center: it is not
 * parked as data; the pull stops before it, run after run, as before. */
static void
test_tampered (void)
{
  Client c = { 0 };

  serve_change (R1, "surname", "Петров");
  client_ready (&c);
  for (int kind = 0; kind < 2; kind++)
    {
      g_autoptr(StpEnvelope) envelope = NULL;
      g_autoptr(GError) error = NULL;
      gint64 cursor = cursor_of (&c);
      guint8 other_key[32];

      serve_change (R1, "name", kind == 0 ? "до 0" : "до 1");
      envelope = stp_envelope_new (CENTER, OTHER, kind == 0 ? OTHER ".t0" : OTHER ".t1",
                                   STP_HLC_MAKE (g_get_real_time () / 1000, 0),
                                   STP_SCHEMA_VERSION, "key-1");
      stp_center_key_generate (other_key);
      g_assert_true (stp_envelope_seal (envelope, kind == 0 ? hostile.key : other_key,
                                        (const guint8 *) "[]", 2, &error));
      g_assert_no_error (error);
      if (kind == 0)
        {
          /* One bit of the ciphertext flipped on the way. */
          gsize len;
          guint8 *ct = g_bytes_unref_to_data (g_steal_pointer (&envelope->ct), &len);

          ct[len / 2] ^= 1;
          envelope->ct = g_bytes_new_take (ct, len);
        }
      g_ptr_array_add (hostile.envelopes, stp_envelope_to_json (envelope));
      serve_change (R2, "name", "после");
      for (int run = 0; run < 2; run++)
        {
          g_autofree char *name = NULL;

          g_clear_error (&error);
          g_assert_false (h_sync (c.engine, &error));
          g_assert_nonnull (error);
          g_test_message ("tampered %d: %s", kind, error->message);
          g_assert_cmpint (stp_sync_engine_get_state (c.engine), ==, STP_SYNC_STATE_ERROR);
          g_assert_cmpint (cursor_of (&c), ==, cursor);
          g_assert_cmpuint (count_parked_batches (&c), ==, 0);
          name = h_read (c.store, "residents", R2, "name");
          g_assert_null (name);
        }
      /* The server's log is mended (a test's liberty). */
      g_ptr_array_remove_range (hostile.envelopes, cursor, hostile.envelopes->len - cursor);
    }
  client_close (&c);
  g_ptr_array_set_size (hostile.envelopes, 0);
}

/* --- Snapshots ------------------------------------------------------------------ */

/* A new device asks for the newest snapshot first: an answer of the wrong
 * form is taken as "no snapshot" (as from an older server), and the log
 * is read instead; nothing is sent either. */
static void
test_snapshots (void)
{
  const Override cases[] = {
    { "/snapshots/latest", -1, 200, "{\"head\":[],\"log_bytes_after\":0,\"snapshot\":null}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":1,\"log_bytes_after\":{},\"snapshot\":null}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":1,\"log_bytes_after\":0,\"snapshot\":[]}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":1,\"log_bytes_after\":0,\"snapshot\":{\"id\":[],"
                                    "\"seq\":1,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":1,\"log_bytes_after\":0,\"snapshot\":{\"id\":\"s\","
                                    "\"seq\":1,\"chunks\":-1,\"bytes\":1,\"manifest\":\"AAAA\"}}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":1,\"log_bytes_after\":0,\"snapshot\":{\"id\":\"s\","
                                    "\"seq\":1,\"chunks\":1000000000,\"bytes\":1,\"manifest\":\"AAAA\"}}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":1,\"log_bytes_after\":0,\"snapshot\":{\"id\":\"s\","
                                    "\"seq\":9,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}}", -1 },
    { "/snapshots/latest", -1, 200, "{\"head\":-1}", -1 },
  };

  serve_change (R1, "surname", "Петров");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *surname = NULL;
      Client c = { 0 };

      client_open (&c);
      hostile.override = NULL;
      g_assert_true (enroll (&c, &error));
      g_assert_no_error (error);
      hostile.override = &cases[i];
      stp_sync_engine_set_snapshot_min_bytes (c.engine, 1);
      g_assert_true (h_sync (c.engine, &error));
      g_assert_no_error (error);
      g_assert_cmpint (cursor_of (&c), ==, 1);
      surname = h_read (c.store, "residents", R1, "surname");
      g_assert_cmpstr (surname, ==, "Петров");
      client_close (&c);
    }
  hostile.override = NULL;
  g_ptr_array_set_size (hostile.envelopes, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  stp_protocol_init (NULL);
  start_server ();
  g_test_add_func ("/sync-hostile/enroll", test_enroll);
  g_test_add_func ("/sync-hostile/push", test_push);
  g_test_add_func ("/sync-hostile/pull", test_pull);
  g_test_add_func ("/sync-hostile/batches", test_batches);
  g_test_add_func ("/sync-hostile/newer-format", test_newer_format);
  g_test_add_func ("/sync-hostile/tampered", test_tampered);
  g_test_add_func ("/sync-hostile/snapshots", test_snapshots);
  status = g_test_run ();
  g_clear_object (&hostile.soup);
  g_clear_object (&hostile.certificate);
  stp_test_remove_tree (hostile.cert_dir);
  stp_test_remove_tree (hostile.dir);
  return status;
}
