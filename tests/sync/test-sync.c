/* End-to-end sync tests: real stupeni-server processes (SQLite and
 * PostgreSQL backends), several client database files, StpSyncEngine.
 * Arguments: --tap SERVER_BINARY SYNC_CLI_BINARY */
#include "config.h"

/* For stp_deflate(), stp_inflate() and opening stored envelopes; the core
 * defines the same HLC macros in its own words. */
#include "stp-protocol.h"
#include "stp-envelope.h"
#include "stp-wrapped-key.h"
#undef STP_HLC_MAKE
#undef STP_HLC_MILLIS
#undef STP_HLC_COUNTER

#define SYNC_FX_DIR_TEMPLATE "stupeni-sync-test-XXXXXX"
#include "sync-fixture.h"
#include "stp-sync-batch.h"
#include "stp-sync-snapshot.h"

#include <sodium.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define PASSPHRASE "пароль центра"

static char *cli_binary;

/* A new device enrolled in the fixture's center. */
static Client *
enrolled_client (Fx *fx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  Client *c = new_client (fx);

  if (fx->code != NULL)
    code = g_steal_pointer (&fx->code);
  else
    code = h_new_code (fx->server, fx->center);
  h_enroll (c->engine, fx->server, code, PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_true (stp_sync_engine_is_enrolled (c->engine));
  return c;
}

static void
sync_ok (Client *c)
{
  g_autoptr(GError) error = NULL;

  h_sync (c->engine, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stp_sync_engine_get_state (c->engine), ==, STP_SYNC_STATE_IDLE);
}

static void
assert_same_data (Client *a,
                  Client *b)
{
  g_autofree char *ha = stp_sync_store_canonical_hash (a->store);
  g_autofree char *hb = stp_sync_store_canonical_hash (b->store);

  g_assert_cmpstr (ha, ==, hb);
}

static const char *R1 = "01890000-0000-7000-8000-0000000000a1";

/* --- The batch codec ------------------------------------------------------ */

static StpChange *
change (const char *table,
        const char *row,
        const char *field,
        const char *value,
        guint64     hlc,
        const char *device,
        guint64     base_hlc,
        const char *base_device)
{
  StpChange *c = stp_change_new ();

  c->table = g_strdup (table);
  c->row_id = g_strdup (row);
  c->field = g_strdup (field);
  c->value = g_strdup (value);
  c->hlc = hlc;
  c->device = g_strdup (device);
  c->base_hlc = base_hlc;
  c->base_device = g_strdup (base_device);
  return c;
}

static void
assert_same_changes (GPtrArray *want,
                     GPtrArray *got)
{
  g_assert_nonnull (got);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < want->len; i++)
    {
      StpChange *w = want->pdata[i], *g = got->pdata[i];

      g_assert_cmpstr (g->table, ==, w->table);
      g_assert_cmpstr (g->row_id, ==, w->row_id);
      g_assert_cmpstr (g->field, ==, w->field);
      g_assert_cmpstr (g->value, ==, w->value);
      g_assert_cmpuint (g->hlc, ==, w->hlc);
      g_assert_cmpstr (g->device, ==, w->device);
      g_assert_cmpuint (g->base_hlc, ==, w->base_hlc);
      /* A base without a device is written with the empty one, as in
       * format 1; no base, no base device. */
      if (w->base_hlc != 0)
        g_assert_cmpstr (g->base_device, ==, w->base_device != NULL ? w->base_device : "");
      else
        g_assert_null (g->base_device);
    }
}

/* The JSON text inside an encoded batch. */
static char *
batch_text (GBytes *batch)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (batch, &len);
  g_autoptr(GBytes) text = NULL;

  g_assert_cmpuint (len, >, 4);
  g_assert_cmpmem (data, 4, "STZ1", 4);
  text = stp_inflate (data + 4, len - 4, 64 * 1024 * 1024, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (text, NULL), g_bytes_get_size (text));
}

static GBytes *
deflated_batch (const char *text,
                gsize       len)
{
  g_autoptr(GBytes) packed = stp_deflate ((const guint8 *) text, len, 6);
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) "STZ1", 4);
  g_byte_array_append (out, g_bytes_get_data (packed, NULL), g_bytes_get_size (packed));
  return g_byte_array_free_to_bytes (out);
}

static void
assert_unreadable (const char *data,
                   gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) got = stp_sync_batch_decode ((const guint8 *) data, len, &error);

  g_assert_null (got);
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
}

static void
test_batch_round_trip (void)
{
  static const char *devA = "0189aaaa-0000-7000-8000-000000000001";
  static const char *devB = "0189bbbb-0000-7000-8000-000000000002";
  static const char *devC = "dev \"C\" \\ Ж";
  static const char *r1 = "01890000-0000-7000-8000-000000000001";
  static const char *r2 = "01890000-0000-7000-8000-000000000002";
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonArray *rows;
  guint64 max_hlc = 0;

  /* r1 r1 r1 | r2 | r1 r1 | the same row id in another table | r1 */
  g_ptr_array_add (changes, change ("residents", r1, "surname", "Пётр «Ёлкин»", 5, devA, 0, NULL));
  g_ptr_array_add (changes, change ("residents", r1, "name", NULL, 6, devA, 3, devB));
  g_ptr_array_add (changes, change ("residents", r1, "patronymic", "", 7, devA, 4, NULL));
  g_ptr_array_add (changes, change ("residents", r2, "phone", "quote \" backslash \\ slash /",
                                    G_MAXUINT64, devB, G_MAXUINT64 - 1, devA));
  g_ptr_array_add (changes, change ("residents", r1, "education",
                                    "ctl \x01\x02\x1f\x7f\b\f\n\r\t end", 8, devC, 1, devC));
  g_ptr_array_add (changes, change ("residents", r1, "deleted", "1", 9, devA, 0, NULL));
  g_ptr_array_add (changes, change ("episodes", r1, "", "emoji \xf0\x9f\x98\x80 ½", 1, devA, 0, NULL));
  g_ptr_array_add (changes, change ("residents", r1, "name", "u+2028 \xe2\x80\xa8", 0, devB, 0, devC));
  g_ptr_array_add (changes, change ("", "", "", "", 2, "", 0, NULL));

  batch = stp_sync_batch_encode (changes, &max_hlc);
  g_assert_cmpuint (max_hlc, ==, G_MAXUINT64);
  got = stp_sync_batch_decode (g_bytes_get_data (batch, NULL), g_bytes_get_size (batch), &error);
  g_assert_no_error (error);
  assert_same_changes (changes, got);

  /* Only maximal runs of one row are grouped, so the order is kept; the
   * devices are in the dictionary once each. */
  text = batch_text (batch);
  g_test_message ("%s", text);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "format"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root),
                                                                          "devices")), ==, 4);
  rows = json_object_get_array_member (json_node_get_object (root), "rows");
  g_assert_cmpuint (json_array_get_length (rows), ==, 6);
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 0)), ==, 2 + 3);
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 2)), ==, 2 + 2);

  /* The same text uncompressed is read too. */
  g_clear_pointer (&got, g_ptr_array_unref);
  got = stp_sync_batch_decode ((const guint8 *) text, strlen (text), &error);
  g_assert_no_error (error);
  assert_same_changes (changes, got);

  /* An empty batch, and whitespace between the tokens. */
  {
    g_autoptr(GPtrArray) none = g_ptr_array_new ();
    g_autoptr(GBytes) empty = stp_sync_batch_encode (none, &max_hlc);
    g_autoptr(GPtrArray) back = stp_sync_batch_decode (g_bytes_get_data (empty, NULL),
                                                       g_bytes_get_size (empty), &error);
    const char *spaced = " { \"format\" : 2 ,\n\"devices\" : [ \"d\" ] , \"rows\" : [ [ \"t\" , \"r\" ,"
                         " [ \"f\" , null , 1 , 0 , 2 , 0 ] ] ] }\n";
    g_autoptr(GPtrArray) spaced_back = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (back->len, ==, 0);
    spaced_back = stp_sync_batch_decode ((const guint8 *) spaced, strlen (spaced), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (spaced_back->len, ==, 1);
    g_assert_null (((StpChange *) spaced_back->pdata[0])->value);
    g_assert_cmpstr (((StpChange *) spaced_back->pdata[0])->base_device, ==, "d");
  }

  /* Escapes another writer may use: \u with surrogate pairs, "\/". */
  {
    const char *escaped = "{\"format\":2,\"devices\":[\"\\u0434\"],\"rows\":[[\"t\",\"r\","
                          "[\"f\",\"\\u041f\\u0451\\ud83d\\ude00\\/\\u0001\",1,0]]]}";
    g_autoptr(GPtrArray) back = stp_sync_batch_decode ((const guint8 *) escaped, strlen (escaped),
                                                       &error);

    g_assert_no_error (error);
    g_assert_cmpstr (((StpChange *) back->pdata[0])->device, ==, "д");
    g_assert_cmpstr (((StpChange *) back->pdata[0])->value, ==, "Пё\xf0\x9f\x98\x80/\x01");
  }
}

/* Format 1 as older versions wrote it (and as servers still store it). */
static void
test_batch_format1 (void)
{
  const char *old =
    "[{\"t\":\"residents\",\"r\":\"01890000-0000-7000-8000-000000000001\",\"f\":\"surname\","
    "\"v\":\"Петров \\\"младший\\\" \\\\ \\n\",\"h\":111411200000000007,"
    "\"d\":\"0189aaaa-0000-7000-8000-000000000001\"},"
    "{\"t\":\"residents\",\"r\":\"01890000-0000-7000-8000-000000000001\",\"f\":\"name\","
    "\"v\":null,\"h\":111411200000000008,\"d\":\"0189aaaa-0000-7000-8000-000000000001\","
    "\"bh\":111411200000000001,\"bd\":\"0189bbbb-0000-7000-8000-000000000002\"}]";
  /* \u escapes beyond ASCII take the general JSON reader. */
  const char *escaped = "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"v\":\"\\u0416\","
                        "\"h\":3,\"d\":\"d\",\"bh\":2,\"bd\":\"\"}]";
  g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (want, change ("residents", "01890000-0000-7000-8000-000000000001", "surname",
                                 "Петров \"младший\" \\ \n", 111411200000000007,
                                 "0189aaaa-0000-7000-8000-000000000001", 0, NULL));
  g_ptr_array_add (want, change ("residents", "01890000-0000-7000-8000-000000000001", "name",
                                 NULL, 111411200000000008, "0189aaaa-0000-7000-8000-000000000001",
                                 111411200000000001, "0189bbbb-0000-7000-8000-000000000002"));
  got = stp_sync_batch_decode ((const guint8 *) old, strlen (old), &error);
  g_assert_no_error (error);
  assert_same_changes (want, got);

  g_clear_pointer (&got, g_ptr_array_unref);
  g_ptr_array_set_size (want, 0);
  g_ptr_array_add (want, change ("residents", "r1", "name", "Ж", 3, "d", 2, ""));
  got = stp_sync_batch_decode ((const guint8 *) escaped, strlen (escaped), &error);
  g_assert_no_error (error);
  assert_same_changes (want, got);

  g_clear_pointer (&got, g_ptr_array_unref);
  got = stp_sync_batch_decode ((const guint8 *) "[]", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);

  assert_unreadable ("[{\"t\":", 6);
  assert_unreadable ("{\"t\":1}", 7);

  /* Format 1 through the general reader (issue 14): a member of the
   * wrong type, a negative or fractional HLC or an element that is not an
   * object makes the batch unreadable (json-glib's getters asserted on
   * the first); a missing member leaves the change for the store to park. */
  {
    static const char *wrong[] = {
      "[{\"t\":[],\"r\":\"r1\",\"f\":\"name\",\"h\":1,\"d\":\"d\"}]",
      "[{\"t\":\"residents\",\"r\":{},\"f\":\"name\",\"h\":1,\"d\":\"d\"}]",
      "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"v\":7,\"h\":1,\"d\":\"d\"}]",
      "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"h\":\"1\",\"d\":\"d\"}]",
      "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"h\":-1,\"d\":\"d\"}]",
      "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"h\":1.5,\"d\":\"d\"}]",
      "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"h\":1,\"d\":\"d\",\"bh\":[]}]",
      "[{\"t\":\"residents\",\"r\":\"r1\",\"f\":\"name\",\"h\":1,\"d\":\"d\",\"bd\":false}]",
      "[5]",
      "[{\"t\":\"residents\"},[]]",
    };
    const char *missing = "[{\"t\":\"residents\",\"r\":null,\"f\":\"name\",\"h\":1}]";

    for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
      assert_unreadable (wrong[i], strlen (wrong[i]));
    g_clear_pointer (&got, g_ptr_array_unref);
    got = stp_sync_batch_decode ((const guint8 *) missing, strlen (missing), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (got->len, ==, 1);
    g_assert_null (((StpChange *) got->pdata[0])->row_id);
    g_assert_null (((StpChange *) got->pdata[0])->device);
    g_assert_cmpuint (((StpChange *) got->pdata[0])->hlc, ==, 1);
  }
}

static void
test_batch_malformed (void)
{
  static const char *bad[] = {
    "",
    " ",
    "null",
    "{}",
    "{\"format\":2}",
    "{\"format\":1,\"devices\":[],\"rows\":[]}",
    "{\"format\":02,\"devices\":[],\"rows\":[]}",
    "{\"format\":2.0,\"devices\":[],\"rows\":[]}",
    "{\"devices\":[],\"format\":2,\"rows\":[]}",
    "{\"format\":2,\"devices\":[],\"rows\":[],\"more\":1}",
    "{\"format\":2,\"devices\":[],\"rows\":[]}x",
    "{\"format\":2,\"devices\":[1],\"rows\":[]}",
    "{\"format\":2,\"devices\":[\"d\",],\"rows\":[]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\"]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1,1]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1,0,2]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1,0,2,1]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1,0,2,0,3]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",-1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",01,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1.5,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1e3,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",18446744073709551616,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",\"1\",0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",1,1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",true,1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[null,\"v\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",null,[\"f\",\"v\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"a\nb\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\\x\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\\u0000\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\\ud83d\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\\ude00\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\\u12\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\xff\xfe\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"\xd0\",1,0]]]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1,0]],]}",
    "{\"format\":2,\"devices\":[\"d\"],\"rows\":[[\"t\",\"r\",[\"f\",\"v\",1,0]]]",
    "STZ1",
    "STZ1garbage that is not deflate at all",
    "STZ",
  };
  const char *good = "{\"format\":2,\"devices\":[\"dev\"],\"rows\":[[\"residents\",\"r1\","
                     "[\"surname\",\"Иванов\",123456789,0],[\"name\",null,7,0,5,0]]]}";
  g_autoptr(GBytes) packed = deflated_batch (good, strlen (good));
  const char *data;
  gsize len;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) also_packed = NULL;
      g_autofree char *shown = g_strescape (bad[i], NULL);

      /* Escaped: a raw invalid UTF-8 byte in the TAP stream confuses meson. */
      g_test_message ("bad batch %u: %s", i, shown);
      assert_unreadable (bad[i], strlen (bad[i]));
      /* The same inside compressed data. */
      also_packed = deflated_batch (bad[i], strlen (bad[i]));
      assert_unreadable (g_bytes_get_data (also_packed, NULL), g_bytes_get_size (also_packed));
    }

  /* A newer format says so. */
  {
    const char *newer = "{\"format\":3,\"devices\":[],\"rows\":[],\"whatever\":{}}";
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) got = stp_sync_batch_decode ((const guint8 *) newer, strlen (newer), &error);

    g_assert_null (got);
    g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
    g_assert_nonnull (strstr (error->message, "newer") != NULL ? error->message
                      : strstr (error->message, "нов"));
  }

  /* Every proper prefix of a good text, plain and compressed. */
  for (gsize cut = 0; cut < strlen (good); cut++)
    assert_unreadable (good, cut);
  data = g_bytes_get_data (packed, &len);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) got = stp_sync_batch_decode ((const guint8 *) data, len, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (got->len, ==, 2);
  }
  for (gsize cut = 0; cut < len; cut++)
    assert_unreadable (data, cut);

  /* Flipped bytes in the compressed data: an error or other changes,
   * never a crash. */
  for (gsize i = 4; i < len; i++)
    {
      g_autofree char *copy = g_memdup2 (data, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) got = NULL;

      copy[i] ^= 0x21;
      got = stp_sync_batch_decode ((const guint8 *) copy, len, &error);
      g_assert_true ((got == NULL) != (error == NULL));
    }
}

/* A batch that would inflate past 64 MiB is refused without taking the
 * memory; one just under it is still read. */
static void
test_batch_inflate_bomb (void)
{
  gsize big = 65 * 1024 * 1024;
  g_autofree char *text = g_malloc (big);
  g_autoptr(GBytes) bomb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) got = NULL;
  const char *head = "{\"format\":2,\"devices\":[],\"rows\":[]}";

  /* A valid batch followed by spaces: only the size is wrong. */
  memset (text, ' ', big);
  memcpy (text, head, strlen (head));
  bomb = deflated_batch (text, big);
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 1024 * 1024);
  got = stp_sync_batch_decode (g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb), &error);
  g_assert_null (got);
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_clear_pointer (&bomb, g_bytes_unref);

  bomb = deflated_batch (text, 60 * 1024 * 1024);
  got = stp_sync_batch_decode (g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
}

/* Values with every kind of character go through a real server. */
static void
test_odd_values (Fx            *fx,
                 gconstpointer  data)
{
  static const char *values[] = {
    "Пётр «Ёлкин»", "", "quote \" and backslash \\", "line\nbreak\ttab\r",
    "ctl \x01\x1f\x7f", "emoji \xf0\x9f\x98\x80", "Ж", "0",
  };
  static const char *fields[] = { "surname", "name", "patronymic", "phone", "education",
                                  "profession", "citizenship", "actual_address" };
  g_autoptr(GError) error = NULL;
  Client *a, *b, *c;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  c = enrolled_client (fx);

  /* Runs of one row split by another row. */
  g_assert_true (stp_store_begin (a->store, &error));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      const char *row = i % 3 == 2 ? "01890000-0000-7000-8000-0000000000b2" : R1;

      stp_store_write_field (a->store, "residents", row, fields[i], values[i], &error);
      g_assert_no_error (error);
    }
  stp_store_write_field (a->store, "residents", R1, "employment", NULL, &error);
  g_assert_no_error (error);
  stp_store_commit (a->store, &error);
  g_assert_no_error (error);
  sync_ok (a);

  /* B edits over A's versions (changes with a base), C reads both. */
  sync_ok (b);
  h_write (b->store, "residents", R1, "surname", "Иванов \"2\"");
  h_write (b->store, "residents", R1, "name", NULL);
  sync_ok (b);
  sync_ok (c);
  sync_ok (a);
  assert_same_data (a, b);
  assert_same_data (a, c);
  {
    g_autofree char *surname = h_read (c->store, "residents", R1, "surname");
    g_autofree char *phone = h_read (c->store, "residents", R1, "phone");
    g_autofree char *education = h_read (c->store, "residents", R1, "education");
    g_autofree char *profession = h_read (c->store, "residents", "01890000-0000-7000-8000-0000000000b2",
                                          "profession");

    g_assert_cmpstr (surname, ==, "Иванов \"2\"");
    g_assert_cmpstr (phone, ==, values[3]);
    g_assert_cmpstr (education, ==, values[4]);
    g_assert_cmpstr (profession, ==, values[5]);
  }
}

/* --- Tests --------------------------------------------------------------- */

/* Device rows of the fixture's center on the server, revoked or not
 * (`device list`, one line each). */
static guint
count_devices (Fx *fx)
{
  g_autofree char *out = h_admin (fx->server, "device", "list", NULL);
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_nonnull (out);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], fx->center) != NULL)
      n++;
  return n;
}

static void
test_enroll_passphrase (Fx            *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;
  g_autofree char *surname = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Петров");
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
  g_assert_cmpuint (stp_sync_engine_get_pending (a->engine), ==, 0);
  g_assert_cmpint (stp_sync_engine_get_last_sync (a->engine), >, 0);
  /* Same machine, same clock. */
  g_assert_cmpint (ABS (stp_sync_engine_get_clock_skew (a->engine)), <, 5000);

  /* The center's first device gets device number 1: file numbers "ГГГГ-01-…". */
  g_assert_cmpstr (stp_store_get_device_code (a->store), ==, "01");

  b = new_client (fx);
  /* Before enrollment, a computer numbers its files with "00". */
  g_assert_cmpstr (stp_store_get_device_code (b->store), ==, "00");
  code = h_new_code (fx->server, fx->center);
  g_assert_false (h_enroll (b->engine, fx->server, code, "не тот пароль", &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  /* Nothing written. */
  g_assert_false (stp_sync_engine_is_enrolled (b->engine));
  token = stp_store_get_setting (b->store, "sync.token");
  g_assert_true (token == NULL || *token == '\0');
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM residents"), ==, 0);

  g_assert_cmpstr (stp_store_get_device_code (b->store), ==, "00");
  /* Nor on the server: no device row for the refused try (issue 12, item 10). */
  g_assert_cmpuint (count_devices (fx), ==, 1);

  /* The code stays usable even after the program was closed in between
   * (nothing of the refused try is kept in memory either). */
  client_close (b);
  client_open (b);
  g_assert_false (h_enroll (b->engine, fx->server, code, "снова не тот", &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  g_assert_cmpuint (count_devices (fx), ==, 1);
  client_close (b);
  client_open (b);

  /* A second try with the right passphrase needs no new code. */
  h_enroll (b->engine, fx->server, code, PASSPHRASE, &error);
  g_assert_no_error (error);
  /* The number the server gave at the first try: unique in the center. */
  g_assert_cmpstr (stp_store_get_device_code (b->store), ==, "02");
  {
    g_autofree char *number = stp_store_get_setting (b->store, "sync.device_number");
    g_assert_cmpstr (number, ==, "2");
  }
  sync_ok (b);
  surname = h_read (b->store, "residents", R1, "surname");
  g_assert_cmpstr (surname, ==, "Петров");
  assert_same_data (a, b);

  /* A wrong pinned certificate is refused. */
  {
    Client *c = new_client (fx);
    g_autofree char *code2 = h_new_code (fx->server, fx->center);
    GAsyncResult *result = NULL;

    stp_sync_engine_set_fast_kdf (c->engine, TRUE);
    stp_sync_engine_enroll_async (c->engine, fx->server->url, code2, PASSPHRASE,
                                  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
                                  NULL, h_got_result, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (stp_sync_engine_enroll_finish (c->engine, result, &error));
    g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CERTIFICATE);
    g_object_unref (result);
  }
}

/* A trust database holding the server's own certificate: the system
 * trusts the server, as it would a certificate signed by a known CA. */
static GTlsDatabase *
trusting_database (Server *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (server->dir, "state", "dev-certificate.pem", NULL);
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (path, &error);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", server->port);

  g_assert_no_error (error);
  certificate = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  /* Else the test would not reach the case it is about. */
  g_assert_cmpint (g_tls_database_verify_chain (database, certificate,
                                                G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                                identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                                NULL, &error), ==, 0);
  g_assert_no_error (error);
  return g_steal_pointer (&database);
}

/* "aa:BB:…" -> "AABB…" */
static char *
hex_digits (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

static void
test_pin_trusted_certificate (Fx            *fx,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *pinned_hex = NULL;
  g_autofree char *server_hex = NULL;
  Client *a, *b, *c;

  if (!need_server (fx))
    return;
  database = trusting_database (fx->server);
  a = enrolled_client (fx);
  stp_sync_engine_set_tls_database (a->engine, database);
  sync_ok (a);

  /* The pin no longer matches what the (trusted) server shows. */
  h_write (a->store, "residents", R1, "surname", "Неотправленный");
  stp_store_set_setting (a->store, "sync.fingerprint",
                         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", &error);
  g_assert_no_error (error);
  g_clear_object (&a->engine);
  a->engine = stp_sync_engine_new (a->store);
  stp_sync_engine_set_tls_database (a->engine, database);
  g_assert_false (h_sync (a->engine, &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CERTIFICATE);
  g_clear_error (&error);
  g_assert_cmpint (stp_sync_engine_get_state (a->engine), ==, STP_SYNC_STATE_ERROR);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 1);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_events WHERE action = 'sync' "
                                            "AND detail LIKE 'failed: stp-sync-error-quark %d;%%'",
                                            STP_SYNC_ERROR_CERTIFICATE);
    g_assert_cmpint (h_count (a->store, sql), ==, 1);
  }

  /* Nothing reached the server. */
  b = enrolled_client (fx);
  sync_ok (b);
  seen = h_read (b->store, "residents", R1, "surname");
  g_assert_null (seen);

  /* Enrolling without a fingerprint pins the trusted certificate too. */
  c = new_client (fx);
  stp_sync_engine_set_tls_database (c->engine, database);
  {
    g_autofree char *code = h_new_code (fx->server, fx->center);
    GAsyncResult *result = NULL;

    stp_sync_engine_set_fast_kdf (c->engine, TRUE);
    stp_sync_engine_enroll_async (c->engine, fx->server->url, code, PASSPHRASE, NULL,
                                  NULL, h_got_result, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    stp_sync_engine_enroll_finish (c->engine, result, &error);
    g_assert_no_error (error);
    g_object_unref (result);
  }
  pinned = stp_store_get_setting (c->store, "sync.fingerprint");
  pinned_hex = hex_digits (pinned);
  server_hex = hex_digits (fx->server->fingerprint);
  g_assert_cmpuint (strlen (server_hex), ==, 64);
  g_assert_cmpstr (pinned_hex, ==, server_hex);
}

static void
test_different_fields (Fx            *fx,
                       gconstpointer  data)
{
  g_autofree char *pa = NULL, *pb = NULL, *aa = NULL, *ab = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Сидоров");
  sync_ok (a);
  sync_ok (b);

  /* Offline edits of different fields. */
  h_write (a->store, "residents", R1, "phone", "+79001112233");
  h_write (b->store, "residents", R1, "actual_address", "Пермь, \"ул.\" Ленина,\n1\\2\t\x01");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);

  pa = h_read (a->store, "residents", R1, "phone");
  pb = h_read (b->store, "residents", R1, "phone");
  aa = h_read (a->store, "residents", R1, "actual_address");
  ab = h_read (b->store, "residents", R1, "actual_address");
  g_assert_cmpstr (pa, ==, "+79001112233");
  g_assert_cmpstr (pb, ==, "+79001112233");
  g_assert_cmpstr (aa, ==, "Пермь, \"ул.\" Ленина,\n1\\2\t\x01");
  g_assert_cmpstr (ab, ==, "Пермь, \"ул.\" Ленина,\n1\\2\t\x01");
  g_assert_cmpint (h_count (a->store, "SELECT count(*) FROM conflicts"), ==, 0);
  assert_same_data (a, b);
}

static void
test_same_field (Fx            *fx,
                 gconstpointer  data)
{
  g_autofree char *va = NULL, *vb = NULL, *vc = NULL;
  Client *a, *b, *c;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  c = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Кузнецов");
  sync_ok (a);
  sync_ok (b);

  h_write (a->store, "residents", R1, "phone", "111");
  h_write (b->store, "residents", R1, "phone", "222");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);
  sync_ok (c);

  /* Each run is audited with its counts, without any value. */
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM audit_events WHERE action = 'sync'"), ==, 2);
  g_assert_cmpint (h_count (b->store,
                            "SELECT count(*) FROM audit_events WHERE action = 'sync' AND "
                            "user_login = 'system' AND device_id IS NOT NULL AND "
                            "detail = 'pushed 1, pulled 1, conflicts 1'"), ==, 1);
  g_assert_cmpint (h_count (a->store,
                            "SELECT count(*) FROM audit_events WHERE action = 'sync' AND "
                            "detail = 'pushed 1, pulled 0, conflicts 0'"), ==, 2);
  g_assert_cmpint (h_count (b->store,
                            "SELECT count(*) FROM audit_events WHERE detail LIKE '%222%' "
                            "OR detail LIKE '%Кузнецов%'"), ==, 0);

  va = h_read (a->store, "residents", R1, "phone");
  vb = h_read (b->store, "residents", R1, "phone");
  vc = h_read (c->store, "residents", R1, "phone");
  g_assert_cmpstr (va, ==, vb);
  g_assert_cmpstr (va, ==, vc);
  /* The loser is kept once on each of the two editing devices. */
  g_assert_cmpint (h_count (a->store, "SELECT count(*) FROM conflicts"), ==, 1);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM conflicts"), ==, 1);
  g_assert_cmpint (h_count (a->store, "SELECT count(*) FROM conflicts WHERE winner_value = loser_value"), ==, 0);
  assert_same_data (a, b);
  assert_same_data (a, c);
}

static guint
open_conflicts (Client *c)
{
  return (guint) h_count (c->store, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL");
}

/* The one conflict of @c, resolved. */
static void
resolve_only_conflict (Client   *c,
                       gboolean  keep_loser)
{
  g_autoptr(StpSession) session = stp_session_new_system ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  list = stp_sync_store_list_conflicts (c->store, session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  stp_sync_store_resolve_conflict (c->store, session,
                                   ((StpConflict *) g_ptr_array_index (list, 0))->id,
                                   keep_loser, &error);
  g_assert_no_error (error);
}

/* Issue 12, item 9: a conflict resolved on one computer shows as resolved
 * on the others once the choice has synced, whichever value was kept. */
static void
test_conflict_resolved_elsewhere (Fx            *fx,
                                  gconstpointer  data)
{
  g_autoptr(StpSession) session = stp_session_new_system ();
  g_autoptr(GError) error = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Кузнецов");
  sync_ok (a);
  sync_ok (b);

  /* 1. A keeps the value in effect. */
  h_write (a->store, "residents", R1, "phone", "111");
  h_write (b->store, "residents", R1, "phone", "222");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);
  g_assert_cmpuint (open_conflicts (a), ==, 1);
  g_assert_cmpuint (open_conflicts (b), ==, 1);
  resolve_only_conflict (a, FALSE);
  g_assert_cmpuint (open_conflicts (a), ==, 0);
  sync_ok (a);
  sync_ok (b);
  g_assert_cmpuint (open_conflicts (b), ==, 0);
  {
    g_autoptr(GPtrArray) resolved = stp_sync_store_list_resolved_conflicts (b->store, session, 0, &error);
    StpConflict *c;

    g_assert_no_error (error);
    g_assert_cmpuint (resolved->len, ==, 1);
    c = g_ptr_array_index (resolved, 0);
    g_assert_nonnull (c->resolved_at);
    /* Settled by the change from A, not by anyone here. */
    g_assert_null (c->resolved_by);
    g_assert_cmpstr (c->current_value, ==, "222");
  }
  {
    g_autofree char *va = h_read (a->store, "residents", R1, "phone");
    g_autofree char *vb = h_read (b->store, "residents", R1, "phone");

    g_assert_cmpstr (va, ==, "222");
    g_assert_cmpstr (vb, ==, "222");
  }

  /* 2. B restores the other value. */
  h_write (a->store, "residents", R1, "phone", "333");
  h_write (b->store, "residents", R1, "phone", "444");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);
  g_assert_cmpuint (open_conflicts (a), ==, 1);
  g_assert_cmpuint (open_conflicts (b), ==, 1);
  resolve_only_conflict (b, TRUE);
  sync_ok (b);
  sync_ok (a);
  g_assert_cmpuint (open_conflicts (a), ==, 0);
  g_assert_cmpuint (open_conflicts (b), ==, 0);
  {
    g_autofree char *va = h_read (a->store, "residents", R1, "phone");
    g_autofree char *vb = h_read (b->store, "residents", R1, "phone");

    g_assert_cmpstr (va, ==, "333");
    g_assert_cmpstr (vb, ==, "333");
  }
  /* Nothing more to choose: a third sync round changes nothing. */
  sync_ok (a);
  sync_ok (b);
  g_assert_cmpuint (open_conflicts (a) + open_conflicts (b), ==, 0);
  assert_same_data (a, b);
}

static void
test_delete_vs_edit (Fx            *fx,
                     gconstpointer  data)
{
  g_autofree char *da = NULL, *db = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Удаляемый");
  sync_ok (a);
  sync_ok (b);

  h_write (a->store, "residents", R1, "deleted", "1");
  g_usleep (3000);
  /* B edits later, offline, and does not know of the delete. */
  h_write (b->store, "residents", R1, "phone", "999");
  h_write (b->store, "residents", R1, "deleted", "0");
  sync_ok (b);
  sync_ok (a);
  sync_ok (b);

  da = h_read (a->store, "residents", R1, "deleted");
  db = h_read (b->store, "residents", R1, "deleted");
  g_assert_cmpstr (da, ==, "1");
  g_assert_cmpstr (db, ==, "1");
  assert_same_data (a, b);
}

static gint64
count_server_envelopes (Fx     *fx,
                        Client *reader,
                        Client *of)
{
  /* A fresh device pulls everything; count the batches from @of by the
   * rows they carry: pull with the reader's engine into a new file. */
  g_autofree char *device = stp_store_get_setting (of->store, "sync.device");
  g_autofree char *token = stp_store_get_setting (reader->store, "sync.token");
  g_autofree char *url = g_strdup_printf ("%s/v1/centers/%s/pull?after=0&limit=50",
                                          fx->server->url, fx->center);
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autofree char *out = NULL;
  g_autofree char *needle = g_strdup_printf ("\"device\":\"%s\"", device);
  gint64 n = 0;

  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           "curl", "-sk", "-H", auth, url, NULL);
  if (curl == NULL)
    return -1;
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  for (const char *p = out; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

static void
test_crash_after_commit (Fx            *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *v = NULL;
  Client *a, *b;
  guint port;

  if (!need_server (fx))
    return;
  if (!g_file_test ("/usr/bin/curl", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("curl is needed to count stored envelopes");
      return;
    }
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Один");
  h_write (a->store, "residents", R1, "name", "Раз");

  /* The server dies after committing the next push, before replying. */
  port = fx->server->port;
  h_stop_process (fx->server);
  h_start_process (fx->server, port, "1");
  g_assert_false (h_sync (a->engine, &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpint (stp_sync_engine_get_state (a->engine), ==, STP_SYNC_STATE_OFFLINE);
  /* Not acknowledged: still queued. */
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 2);
  g_subprocess_wait (fx->server->process, NULL, NULL);
  g_clear_object (&fx->server->process);

  h_start_process (fx->server, port, NULL);
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
  g_assert_cmpint (count_server_envelopes (fx, b, a), ==, 1);
  sync_ok (b);
  v = h_read (b->store, "residents", R1, "name");
  g_assert_cmpstr (v, ==, "Раз");
  assert_same_data (a, b);
}

/* The changes in the batches from @of stored on the server, opened with
 * the center key as @reader holds it; fails on a change stored twice. */
static guint
server_changes (Fx     *fx,
                Client *reader,
                Client *of)
{
  g_autofree char *device = stp_store_get_setting (of->store, "sync.device");
  g_autofree char *token = stp_store_get_setting (reader->store, "sync.token");
  g_autofree char *key_text = stp_store_get_setting (reader->store, "sync.center_key");
  g_autofree char *url = g_strdup_printf ("%s/v1/centers/%s/pull?after=0&limit=1000",
                                          fx->server->url, fx->center);
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GBytes) key = stp_base64_decode (key_text, STP_CENTER_KEY_BYTES, NULL);
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  JsonArray *envelopes;

  g_assert_nonnull (key);
  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           "curl", "-sk", "-H", auth, url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "more"));
  envelopes = json_object_get_array_member (json_node_get_object (root), "envelopes");
  for (guint i = 0; i < json_array_get_length (envelopes); i++)
    {
      JsonObject *item = json_array_get_object_element (envelopes, i);
      g_autoptr(StpEnvelope) envelope = stp_envelope_from_json_node (json_object_get_member (item, "envelope"),
                                                                     &error);
      g_autoptr(GBytes) plaintext = NULL;
      g_autoptr(GPtrArray) changes = NULL;

      g_assert_no_error (error);
      if (!g_str_equal (envelope->device, device))
        continue;
      plaintext = stp_envelope_open (envelope, g_bytes_get_data (key, NULL), &error);
      g_assert_no_error (error);
      changes = stp_sync_batch_decode (g_bytes_get_data (plaintext, NULL),
                                       g_bytes_get_size (plaintext), &error);
      g_assert_no_error (error);
      for (guint c = 0; c < changes->len; c++)
        {
          StpChange *change = g_ptr_array_index (changes, c);
          char *id = g_strdup_printf ("%s/%s/%" G_GUINT64_FORMAT, change->row_id, change->field,
                                      change->hlc);

          g_assert_true (g_hash_table_add (seen, id));
        }
    }
  return g_hash_table_size (seen);
}

/* The server dies after committing the third of many batches: the
 * acknowledgements made beside the sends before it must leave every
 * change stored exactly once after the next run. */
static void
test_crash_after_commit_many (Fx            *fx,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Client *a, *b;
  guint port;
  gsize pending;

  if (!need_server (fx))
    return;
  if (!g_file_test ("/usr/bin/curl", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("curl is needed to read the stored envelopes");
      return;
    }
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  g_assert_true (stp_store_begin (a->store, &error));
  for (guint r = 0; r < 600; r++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8002-%012u", r);
      static const char *fields[] = { "surname", "name", "patronymic", "phone", "education",
                                      "profession", "citizenship", "actual_address",
                                      "registration_address", "employment" };

      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          g_autofree char *value = g_strdup_printf ("%s-%u", fields[f], r);

          stp_store_write_field (a->store, "residents", row, fields[f], value, &error);
          g_assert_no_error (error);
        }
    }
  stp_store_commit (a->store, &error);
  g_assert_no_error (error);
  stp_sync_engine_set_batch_bytes (a->engine, 16 * 1024);

  port = fx->server->port;
  h_stop_process (fx->server);
  h_start_process (fx->server, port, "3");
  g_assert_false (h_sync (a->engine, &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  /* The first two batches lost their rows, the third was stored but
   * never acknowledged. */
  pending = stp_sync_store_count_pending (a->store);
  g_assert_cmpuint (pending, <, 6000);
  g_assert_cmpuint (pending, >, 3000);
  g_subprocess_wait (fx->server->process, NULL, NULL);
  g_clear_object (&fx->server->process);

  h_start_process (fx->server, port, NULL);
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);

  /* Every change stored, none twice. */
  g_assert_cmpuint (server_changes (fx, b, a), ==, 6000);
  sync_ok (b);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM field_versions"), ==, 6000);
  assert_same_data (a, b);
}

static void
test_killed_during_pull (Fx            *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  Client *a, *c;
  int status;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  c = enrolled_client (fx);

  /* 6 000 changes in many small batches. */
  g_assert_true (stp_store_begin (a->store, &error));
  for (guint r = 0; r < 600; r++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8000-%012u", r);
      for (guint f = 0; f < 10; f++)
        {
          static const char *fields[] = { "surname", "name", "patronymic", "phone", "education",
                                          "profession", "citizenship", "actual_address",
                                          "registration_address", "employment" };
          g_autofree char *value = g_strdup_printf ("%s-%u", fields[f], r);
          stp_store_write_field (a->store, "residents", row, fields[f], value, &error);
          g_assert_no_error (error);
        }
    }
  stp_store_commit (a->store, &error);
  g_assert_no_error (error);
  stp_sync_engine_set_batch_bytes (a->engine, 16 * 1024);
  sync_ok (a);

  /* The device's program is killed after two applied chunks. */
  client_close (c);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, cli_binary, c->path,
                            "sync", "--die-after-chunks", "2", "--pull-limit", "3", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 9);
  g_clear_object (&child);

  client_open (c);
  g_assert_cmpint (h_count (c->store, "SELECT count(*) FROM field_versions"), >, 0);
  g_assert_cmpint (h_count (c->store, "SELECT count(*) FROM field_versions"), <, 6000);
  client_close (c);

  /* Run again to the end. */
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, cli_binary, c->path,
                            "sync", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (child, NULL, &error);
  g_assert_no_error (error);

  client_open (c);
  status = (int) h_count (c->store, "SELECT count(*) FROM field_versions");
  g_assert_cmpint (status, ==, 6000);
  g_assert_cmpint (h_count (c->store, "SELECT count(*) FROM residents"), ==, 600);
  g_assert_cmpint (h_count (c->store, "SELECT count(*) FROM outbox"), ==, 0);
  assert_same_data (a, c);
}

static gint64
clock_two_days_ahead (gpointer user_data)
{
  return g_get_real_time () + (gint64) 2 * 24 * 3600 * G_USEC_PER_SEC;
}

static void
test_clock_ahead (Fx            *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *v = NULL;
  Client *a, *d;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  d = enrolled_client (fx);
  stp_store_set_clock (d->store, clock_two_days_ahead, NULL);

  h_write (d->store, "residents", R1, "surname", "Будущий");
  h_write (a->store, "residents", R1, "phone", "555");
  sync_ok (a);

  g_assert_false (h_sync (d->engine, &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CLOCK);
  g_assert_nonnull (strstr (error->message, "future"));
  g_assert_cmpint (stp_sync_engine_get_state (d->engine), ==, STP_SYNC_STATE_ERROR);
  /* Skew shown: about two days. */
  g_assert_cmpint (stp_sync_engine_get_clock_skew (d->engine), >, (gint64) 47 * 3600 * 1000);
  /* Its change is kept, the others' arrived. */
  g_assert_cmpuint (stp_sync_store_count_pending (d->store), ==, 1);
  v = h_read (d->store, "residents", R1, "phone");
  g_assert_cmpstr (v, ==, "555");
  sync_ok (a);
  g_clear_pointer (&v, g_free);
  v = h_read (a->store, "residents", R1, "surname");
  g_assert_null (v);
}

static gint64
clock_one_minute_ahead (gpointer user_data)
{
  return g_get_real_time () + 60 * G_USEC_PER_SEC;
}

/* B's clock is behind A's: an edit B makes after seeing A's value must still
 * win everywhere (B's clock moved past what it received). */
static void
test_edit_after_newer_clock (Fx            *fx,
                             gconstpointer  data)
{
  g_autofree char *va = NULL, *vb = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  stp_store_set_clock (a->store, clock_one_minute_ahead, NULL);
  h_write (a->store, "residents", R1, "phone", "from A");
  sync_ok (a);
  sync_ok (b);
  h_write (b->store, "residents", R1, "phone", "from B, later");
  sync_ok (b);
  sync_ok (a);
  va = h_read (a->store, "residents", R1, "phone");
  vb = h_read (b->store, "residents", R1, "phone");
  g_assert_cmpstr (va, ==, "from B, later");
  g_assert_cmpstr (vb, ==, "from B, later");
  g_assert_cmpint (h_count (a->store, "SELECT count(*) FROM conflicts"), ==, 0);
}

static void
test_many_small_body (Fx            *fx,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);

  g_assert_true (stp_store_begin (a->store, &error));
  for (guint r = 0; r < 2000; r++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8001-%012u", r);
      for (guint f = 0; f < 10; f++)
        {
          static const char *fields[] = { "surname", "name", "patronymic", "phone", "education",
                                          "profession", "citizenship", "actual_address",
                                          "registration_address", "employment" };
          g_autofree char *value = g_strdup_printf ("значение %s %u", fields[f], r);
          stp_store_write_field (a->store, "residents", row, fields[f], value, &error);
          g_assert_no_error (error);
        }
    }
  stp_store_commit (a->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 20000);

  /* Far more than the server's 64 KiB body limit: 413s halve the batch. */
  stp_sync_engine_set_batch_bytes (a->engine, 4 * 1024 * 1024);
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
  sync_ok (b);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM field_versions"), ==, 20000);
  assert_same_data (a, b);
}

static void
test_revoked (Fx            *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *device = NULL;
  Client *e;

  if (!need_server (fx))
    return;
  e = enrolled_client (fx);
  h_write (e->store, "residents", R1, "surname", "Отозванный");
  device = stp_store_get_setting (e->store, "sync.device");
  g_free (h_admin (fx->server, "device", "revoke", device, NULL));

  g_assert_false (h_sync (e->engine, &error));
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED);
  g_assert_cmpint (stp_sync_engine_get_state (e->engine), ==, STP_SYNC_STATE_ERROR);
  g_assert_nonnull (stp_sync_engine_get_last_error (e->engine));
  g_assert_cmpuint (stp_sync_store_count_pending (e->store), ==, 1);
  g_assert_true (stp_sync_engine_needs_enrollment (e->engine));
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_events WHERE action = 'sync' "
                                            "AND detail LIKE 'failed: stp-sync-error-quark %d;%%'",
                                            STP_SYNC_ERROR_REVOKED);
    g_assert_cmpint (h_count (e->store, sql), ==, 1);
  }

  /* Enrolled again with a new code: the kept change goes out. */
  {
    g_autofree char *code = h_new_code (fx->server, fx->center);
    Client *f;
    g_autofree char *v = NULL;

    g_clear_error (&error);
    h_enroll (e->engine, fx->server, code, PASSPHRASE, &error);
    g_assert_no_error (error);
    g_assert_false (stp_sync_engine_needs_enrollment (e->engine));
    sync_ok (e);
    g_assert_cmpuint (stp_sync_store_count_pending (e->store), ==, 0);
    f = enrolled_client (fx);
    sync_ok (f);
    v = h_read (f->store, "residents", R1, "surname");
    g_assert_cmpstr (v, ==, "Отозванный");
  }
}

/* A device's database restored from a backup: its outbox ids and its pull
 * cursor go back.  An edit made after the restore reuses the outbox id of
 * a batch the server already has and must still be stored (a msg_id
 * follows the batch's content), and the edit made between the backup and
 * the restore comes back from the server although it was this device's. */
static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &contents, &len, &error));
  g_assert_true (g_file_set_contents (to, contents, (gssize) len, &error));
  g_assert_no_error (error);
}

static void
test_restored_backup (Fx            *fx,
                      gconstpointer  data)
{
  g_autofree char *backup = NULL;
  g_autofree char *wal = NULL, *shm = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  h_write (a->store, "residents", R1, "surname", "Бэкапов");
  sync_ok (a);

  client_close (a);
  backup = g_strconcat (a->path, ".backup", NULL);
  wal = g_strconcat (a->path, "-wal", NULL);
  shm = g_strconcat (a->path, "-shm", NULL);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  copy_file (a->path, backup);
  client_open (a);
  h_write (a->store, "residents", R1, "name", "Между");
  sync_ok (a);

  /* The disk fails; yesterday's copy comes back. */
  client_close (a);
  g_remove (wal);
  g_remove (shm);
  copy_file (backup, a->path);
  client_open (a);
  {
    g_autofree char *name = h_read (a->store, "residents", R1, "name");

    g_assert_null (name);
  }
  h_write (a->store, "residents", R1, "phone", "После");
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
  sync_ok (b);
  {
    g_autofree char *phone = h_read (b->store, "residents", R1, "phone");
    g_autofree char *name_b = h_read (b->store, "residents", R1, "name");
    g_autofree char *name_a = h_read (a->store, "residents", R1, "name");

    g_assert_cmpstr (phone, ==, "После");
    g_assert_cmpstr (name_b, ==, "Между");
    g_assert_cmpstr (name_a, ==, "Между");
  }
  assert_same_data (a, b);
}

static void
test_property (Fx            *fx,
               gconstpointer  data)
{
  static const char *fields[] = { "surname", "name", "phone", "education", "deleted" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  Client *dev[5];
  g_autofree char *first = NULL;

  if (!need_server (fx))
    return;
  for (guint i = 0; i < 5; i++)
    dev[i] = enrolled_client (fx);

  for (guint round = 0; round < 12; round++)
    {
      for (guint e = 0; e < 8; e++)
        {
          guint d = g_rand_int_range (rand, 0, 5);
          guint f = g_rand_int_range (rand, 0, G_N_ELEMENTS (fields));
          g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8002-%012d",
                                                  g_rand_int_range (rand, 0, 6));
          g_autofree char *value = g_str_equal (fields[f], "deleted")
                                   ? g_strdup ("1")
                                   : g_strdup_printf ("r%u-%d", round, g_rand_int_range (rand, 0, 3));

          if (g_str_equal (fields[f], "deleted") && g_rand_int_range (rand, 0, 3) != 0)
            continue;
          h_write (dev[d]->store, "residents", row, fields[f], value);
        }
      /* A random subset syncs, some twice. */
      for (guint s = 0; s < 4; s++)
        sync_ok (dev[g_rand_int_range (rand, 0, 5)]);
      /* Sometimes a device's cursor goes back: it gets pages again. */
      if (g_rand_boolean (rand))
        {
          g_autoptr(GError) error = NULL;
          guint d = g_rand_int_range (rand, 0, 5);
          stp_sync_store_set_cursor (dev[d]->store, "sync.cursor",
                                     stp_sync_store_get_cursor (dev[d]->store, "sync.cursor") / 2,
                                     &error);
          g_assert_no_error (error);
        }
    }
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < 5; i++)
      sync_ok (dev[i]);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *hash = stp_sync_store_canonical_hash (dev[i]->store);

      if (first == NULL)
        first = g_strdup (hash);
      g_assert_cmpstr (hash, ==, first);
      g_assert_cmpuint (stp_sync_store_count_pending (dev[i]->store), ==, 0);
    }
}

/* Runs SQL on the server's own database (to play a damaged server). */
static void
server_sql (Server     *server,
            const char *sql)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  if (g_str_equal (server->backend, "postgresql"))
    {
      g_autoptr(GPtrArray) prefix = g_ptr_array_new ();

      h_as_postgres (prefix);
      for (guint i = 0; i < prefix->len; i++)
        g_ptr_array_add (argv, g_strdup (g_ptr_array_index (prefix, i)));
      g_ptr_array_add (argv, g_strdup (PG_BIN "/psql"));
      g_ptr_array_add (argv, g_strdup ("-h"));
      g_ptr_array_add (argv, g_strdup (server->pg_dir));
      g_ptr_array_add (argv, g_strdup ("-U"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("-v"));
      g_ptr_array_add (argv, g_strdup ("ON_ERROR_STOP=1"));
      g_ptr_array_add (argv, g_strdup ("-c"));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup ("sqlite3"));
      g_ptr_array_add (argv, g_strdup_printf ("%s/state/server.db", server->dir));
    }
  g_ptr_array_add (argv, g_strdup (sql));
  g_ptr_array_add (argv, NULL);
  g_free (h_run ((const char * const *) argv->pdata, NULL));
}

static void
write_residents (Client *c,
                 guint   first,
                 guint   n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_begin (c->store, &error));
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8003-%012u", i);
      g_autofree char *surname = g_strdup_printf ("Снимков-%u", i);

      g_assert_true (stp_store_write_field (c->store, "residents", row, "surname", surname, &error));
      g_assert_true (stp_store_write_field (c->store, "residents", row, "name", "Пётр", &error));
      g_assert_true (stp_store_write_field (c->store, "residents", row, "birth_date", "1980-01-02", &error));
    }
  g_assert_true (stp_store_commit (c->store, &error));
  g_assert_no_error (error);
}

static gint64
audit_count (Client     *c,
             const char *like)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_events WHERE detail LIKE '%%%s%%'", like);

  return h_count (c->store, sql);
}

/* The file side of snapshots: what is compressed comes back byte for byte
 * however it is cut; a cut-off stream, bytes after its end, damage and
 * more output than announced are refused. */
static void
test_snapshot_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("stupeni-snapshot-file-XXXXXX", &error);
  g_autofree char *in = g_build_filename (dir, "in.db", NULL);
  g_autofree char *packed = g_build_filename (dir, "in.zst", NULL);
  g_autofree char *out = g_build_filename (dir, "out.db", NULL);
  g_autofree char *plain = NULL;
  g_autofree char *zst = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gsize plain_len = 3 * 1024 * 1024 + 17, zst_len = 0;
  guint8 hash[32], hash_back[32], expected[32];
  gint64 raw = 0, packed_bytes = 0, raw_back = 0;
  const gsize cuts[] = { 1, 7, 4096, 131072, G_MAXSIZE };

  g_assert_no_error (error);
  /* Half noise, half zeros: compressible, and several output buffers. */
  plain = g_malloc0 (plain_len);
  for (gsize i = 0; i < plain_len / 2; i++)
    plain[i] = (char) g_rand_int_range (rand, 0, 16);
  g_assert_true (g_file_set_contents (in, plain, (gssize) plain_len, &error));
  crypto_generichash (expected, sizeof expected, (const guint8 *) plain, plain_len, NULL, 0);

  g_assert_true (stp_sync_snapshot_compress (in, packed, hash, &raw, &packed_bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw, ==, (gint64) plain_len);
  g_assert_cmpmem (hash, sizeof hash, expected, sizeof expected);
  g_assert_true (g_file_get_contents (packed, &zst, &zst_len, &error));
  g_assert_cmpint ((gint64) zst_len, ==, packed_bytes);
  g_assert_cmpuint (zst_len, <, plain_len / 2);

  for (guint c = 0; c < G_N_ELEMENTS (cuts); c++)
    {
      g_autoptr(StpSnapshotWriter) writer = stp_snapshot_writer_new (out, raw, &error);
      g_autofree char *back = NULL;
      gsize back_len = 0;

      g_assert_no_error (error);
      for (gsize at = 0; at < zst_len; at += MIN (cuts[c], zst_len - at))
        g_assert_true (stp_snapshot_writer_feed (writer, (const guint8 *) zst + at,
                                                 MIN (cuts[c], zst_len - at), &error));
      g_assert_true (stp_snapshot_writer_finish (writer, hash_back, &raw_back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (raw_back, ==, raw);
      g_assert_cmpmem (hash_back, sizeof hash_back, expected, sizeof expected);
      g_assert_true (g_file_get_contents (out, &back, &back_len, &error));
      g_assert_cmpmem (back, back_len, plain, plain_len);
    }

  /* Cut off before its end. */
  {
    g_autoptr(StpSnapshotWriter) writer = stp_snapshot_writer_new (out, raw, &error);

    g_assert_true (stp_snapshot_writer_feed (writer, (const guint8 *) zst, zst_len - 10, &error));
    g_assert_false (stp_snapshot_writer_finish (writer, hash_back, &raw_back, &error));
    g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
    g_clear_error (&error);
  }
  /* Bytes after its end. */
  {
    g_autoptr(StpSnapshotWriter) writer = stp_snapshot_writer_new (out, raw, &error);

    g_assert_true (stp_snapshot_writer_feed (writer, (const guint8 *) zst, zst_len, &error));
    g_assert_false (stp_snapshot_writer_feed (writer, (const guint8 *) "junk", 4, &error));
    g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
    g_clear_error (&error);
  }
  /* More than announced. */
  {
    g_autoptr(StpSnapshotWriter) writer = stp_snapshot_writer_new (out, raw - 1, &error);

    g_assert_false (stp_snapshot_writer_feed (writer, (const guint8 *) zst, zst_len, &error));
    g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
    g_clear_error (&error);
  }
  /* Damaged in the middle: zstd's checksum or its framing notices. */
  {
    g_autoptr(StpSnapshotWriter) writer = stp_snapshot_writer_new (out, raw, &error);
    gboolean ok;

    zst[zst_len / 2] ^= 0x5a;
    ok = stp_snapshot_writer_feed (writer, (const guint8 *) zst, zst_len, &error) &&
         stp_snapshot_writer_finish (writer, hash_back, &raw_back, &error);
    g_assert_true (!ok || memcmp (hash_back, expected, sizeof expected) != 0);
    g_clear_error (&error);
  }
  h_remove_tree (dir);
}

/* A computer enrolled in the fixture's center with @n residents, synced,
 * which sent a snapshot. */
static Client *
client_with_snapshot (Fx    *fx,
                      guint  n)
{
  Client *a = enrolled_client (fx);

  stp_sync_engine_set_snapshot_min_bytes (a->engine, 1);
  write_residents (a, 0, n);
  sync_ok (a);
  g_assert_cmpint (audit_count (a, "snapshot sent"), ==, 1);
  return a;
}

/* A new computer starts from the snapshot another one sent, then pulls
 * what came after it; its own edit made before its first sync survives. */
static void
test_snapshot_first_sync (Fx            *fx,
                          gconstpointer  data)
{
  Client *a, *b;

  if (!need_server (fx))
    return;
  /* 600 residents: several chunks under the fixture's 64 KiB bodies. */
  a = client_with_snapshot (fx, 600);
  /* The log after it is small: no second snapshot. */
  h_write (a->store, "residents", R1, "surname", "После-снимка");
  sync_ok (a);
  g_assert_cmpint (audit_count (a, "snapshot sent"), ==, 1);

  b = enrolled_client (fx);
  h_write (b->store, "residents", R1, "phone", "+7 900 000-00-01");
  sync_ok (b);
  g_assert_cmpint (audit_count (b, "started from a snapshot"), ==, 1);
  /* Only the tail was read one by one: A's later edit and B's own. */
  {
    sqlite3_stmt *stmt = NULL;
    const char *detail, *at;
    guint pushed = 0, pulled = G_MAXUINT;

    g_assert_cmpint (sqlite3_prepare_v2 (stp_store_get_db (b->store),
                                         "SELECT detail FROM audit_events WHERE detail LIKE "
                                         "'%started from a snapshot%'", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    detail = (const char *) sqlite3_column_text (stmt, 0);
    at = strstr (detail, "pushed ");
    g_assert_nonnull (at);
    g_assert_cmpint (sscanf (at, "pushed %u, pulled %u", &pushed, &pulled), ==, 2);
    sqlite3_finalize (stmt);
    g_assert_cmpuint (pushed, >=, 1);
    g_assert_cmpuint (pulled, >=, 1);
    g_assert_cmpuint (pulled, <, 20);
  }
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM residents"), ==, 601);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM resident_fts WHERE resident_fts "
                                      "MATCH 'Снимков'"), >, 0);
  {
    g_autofree char *surname = h_read (b->store, "residents", R1, "surname");
    g_autofree char *phone = h_read (b->store, "residents", R1, "phone");

    g_assert_cmpstr (surname, ==, "После-снимка");
    g_assert_cmpstr (phone, ==, "+7 900 000-00-01");
  }
  /* B's own bookkeeping is its own. */
  g_assert_cmpint (audit_count (b, "snapshot sent"), ==, 0);
  g_assert_cmpstr (stp_store_get_device_id (b->store), !=, stp_store_get_device_id (a->store));
  sync_ok (a);
  assert_same_data (a, b);
  /* And B edits and syncs normally afterwards. */
  h_write (b->store, "residents", R1, "education", "высшее");
  sync_ok (b);
  sync_ok (a);
  assert_same_data (a, b);
}

/* A snapshot damaged on the server is refused; the new computer reads the
 * log instead and ends with the same data.  The first chunk is damaged
 * (found while the next one downloads) or, with @last, the last one
 * (found after every download). */
static void
snapshot_tampered (Fx       *fx,
                   gboolean  last)
{
  Client *a, *b;
  g_autofree char *sql = NULL;

  if (!need_server (fx))
    return;
  /* 600 residents: a snapshot of several chunks under the fixture's
   * 64 KiB bodies. */
  a = client_with_snapshot (fx, 600);
  /* One base64 character of a chunk of every snapshot on the server (the
   * fixture's server is shared) changed; the snapshot has several. */
  sql = g_strdup_printf ("UPDATE snapshot_chunks SET body = CASE WHEN substr(body, 40, 1) = 'A' "
                         "THEN substr(body, 1, 39) || 'B' || substr(body, 41) "
                         "ELSE substr(body, 1, 39) || 'A' || substr(body, 41) END WHERE n = %s",
                         last ? "(SELECT max(c.n) FROM snapshot_chunks c "
                                "WHERE c.snapshot = snapshot_chunks.snapshot) AND n > 0" : "0");
  server_sql (fx->server, sql);

  b = enrolled_client (fx);
  sync_ok (b);
  g_assert_cmpint (audit_count (b, "started from a snapshot"), ==, 0);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM residents"), ==, 600);
  assert_same_data (a, b);
}

static void
test_snapshot_tampered (Fx            *fx,
                        gconstpointer  data)
{
  snapshot_tampered (fx, FALSE);
}

static void
test_snapshot_tampered_last (Fx            *fx,
                             gconstpointer  data)
{
  snapshot_tampered (fx, TRUE);
}

/* A big push starts the snapshot's copy beside it (here any push): the
 * copy is kept because the push stored exactly what it holds, the
 * snapshot carries the push's last seq, and a new computer starting from
 * it reads only the tail.  A copy the push does not match (another
 * computer's batch came between) is dropped and made again after the
 * pull. */
static void
test_snapshot_early_copy (Fx            *fx,
                          gconstpointer  data)
{
  Client *a, *b, *c;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  stp_sync_engine_set_snapshot_min_bytes (a->engine, 1);
  stp_sync_engine_set_early_copy_min_changes (a->engine, 1);
  write_residents (a, 0, 600);
  sync_ok (a);
  g_assert_cmpint (audit_count (a, "snapshot sent (copied beside the push)"), ==, 1);

  b = enrolled_client (fx);
  sync_ok (b);
  g_assert_cmpint (audit_count (b, "started from a snapshot"), ==, 1);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM residents"), ==, 600);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM resident_fts WHERE resident_fts "
                                      "MATCH 'Снимков'"), >, 0);
  assert_same_data (a, b);
  /* B pulled nothing one by one: the snapshot's seq is A's last batch. */
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM audit_events WHERE detail LIKE "
                                      "'%started from a snapshot%' AND detail LIKE '%pulled 0,%'"), ==, 1);

  /* B's batch lies before A's next one: A's copy is not the state at A's
   * last seq, so it is made again after the pull (which brings B's). */
  h_write (b->store, "residents", R1, "surname", "От-Б");
  sync_ok (b);
  stp_sync_engine_set_snapshot_min_bytes (a->engine, 1);
  write_residents (a, 600, 3000);
  sync_ok (a);
  g_assert_cmpint (audit_count (a, "snapshot sent (copied beside the push)"), ==, 1);
  g_assert_cmpint (audit_count (a, "snapshot sent"), ==, 2);

  c = enrolled_client (fx);
  sync_ok (c);
  g_assert_cmpint (audit_count (c, "started from a snapshot"), ==, 1);
  sync_ok (b);
  assert_same_data (a, c);
  assert_same_data (b, c);
}

/* Pushes, as device @of with its token and the real center key, one
 * batch whose plaintext is @plaintext: what a device of the center with
 * a newer (or broken) program would send. */
static void
push_raw_batch (Fx         *fx,
                Client     *of,
                const char *plaintext)
{
  g_autofree char *device = stp_store_get_setting (of->store, "sync.device");
  g_autofree char *token = stp_store_get_setting (of->store, "sync.token");
  g_autofree char *key_text = stp_store_get_setting (of->store, "sync.center_key");
  g_autofree char *key_id = stp_store_get_setting (of->store, "sync.key_id");
  g_autofree char *url = g_strdup_printf ("%s/v1/centers/%s/push", fx->server->url, fx->center);
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autofree char *msg_id = g_strdup_printf ("%s.%024x", device, g_str_hash (plaintext));
  g_autoptr(GBytes) key = stp_base64_decode (key_text, STP_CENTER_KEY_BYTES, NULL);
  g_autoptr(StpEnvelope) envelope = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *env_json = NULL;
  g_autofree char *body = NULL;
  g_autofree char *out = NULL;

  g_assert_nonnull (key);
  envelope = stp_envelope_new (fx->center, device, msg_id,
                               STP_HLC_MAKE (g_get_real_time () / 1000, 0),
                               STP_SCHEMA_VERSION, key_id);
  g_assert_true (stp_envelope_seal (envelope, g_bytes_get_data (key, NULL),
                                    (const guint8 *) plaintext, strlen (plaintext), &error));
  g_assert_no_error (error);
  env_json = stp_envelope_to_json (envelope);
  body = g_strdup_printf ("{\"envelopes\":[%s]}", env_json);
  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           "curl", "-sk", "-H", auth, "-H", "Content-Type: application/json",
                           "--data-binary", body, url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (curl, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("raw push: %s", out);
  g_assert_nonnull (strstr (out, "\"seq\""));
}

/* Device A sends a good batch, one that authenticates but that no reader
 * of this version reads, and another good one; B receives both good ones,
 * keeps the other parked, is past it and not stuck; once the reader knows
 * the format (an update; here a test knob) B's next sync applies it. */
static void
test_unreadable_batch_parked (Fx            *fx,
                              gconstpointer  data)
{
  g_autofree char *newer = NULL;
  g_autofree char *v = NULL;
  g_autofree char *device_a = NULL;
  Client *a, *b;

  if (!need_server (fx))
    return;
  if (!g_file_test ("/usr/bin/curl", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("curl is needed to push a raw batch");
      return;
    }
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  device_a = stp_store_get_setting (a->store, "sync.device");
  h_write (a->store, "residents", R1, "surname", "Первый");
  sync_ok (a);
  newer = g_strdup_printf ("{\"format\":3,\"devices\":[\"%s\"],\"rows\":[[\"residents\",\"%s\","
                           "[\"phone\",\"333\",%" G_GUINT64_FORMAT ",0]]]}",
                           device_a, R1, (guint64) STP_HLC_MAKE (g_get_real_time () / 1000, 5));
  push_raw_batch (fx, a, newer);
  push_raw_batch (fx, a, "[{\"t\":5}]");
  h_write (a->store, "residents", R1, "name", "Третий");
  sync_ok (a);

  for (int run = 0; run < 2; run++)
    {
      sync_ok (b);
      g_clear_pointer (&v, g_free);
      g_assert_cmpstr ((v = h_read (b->store, "residents", R1, "surname")), ==, "Первый");
      g_clear_pointer (&v, g_free);
      g_assert_cmpstr ((v = h_read (b->store, "residents", R1, "name")), ==, "Третий");
      g_clear_pointer (&v, g_free);
      g_assert_null ((v = h_read (b->store, "residents", R1, "phone")));
      g_assert_cmpuint (stp_sync_store_count_parked_batches (b->store), ==, 2);
      g_assert_cmpuint (stp_sync_engine_get_parked_batches (b->engine), ==, 2);
      /* Past them: the cursor is A's cursor (all four batches). */
      g_assert_cmpint (stp_sync_store_get_cursor (b->store, "sync.cursor"), ==,
                       stp_sync_store_get_cursor (a->store, "sync.cursor"));
    }
  stp_sync_batch_set_extra_format_for_tests (3);
  sync_ok (b);
  stp_sync_batch_set_extra_format_for_tests (0);
  g_clear_pointer (&v, g_free);
  g_assert_cmpstr ((v = h_read (b->store, "residents", R1, "phone")), ==, "333");
  /* The malformed one stays (no version reads it); nothing was lost. */
  g_assert_cmpuint (stp_sync_store_count_parked_batches (b->store), ==, 1);
  g_assert_cmpuint (stp_sync_engine_get_parked_batches (b->engine), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  static const FxCase cases[] = {
    { "enroll-passphrase", test_enroll_passphrase },
    { "pin-trusted-certificate", test_pin_trusted_certificate },
    { "different-fields", test_different_fields },
    { "same-field", test_same_field },
    { "conflict-resolved-elsewhere", test_conflict_resolved_elsewhere },
    { "delete-vs-edit", test_delete_vs_edit },
    { "crash-after-commit", test_crash_after_commit },
    { "crash-after-commit-many", test_crash_after_commit_many },
    { "killed-during-pull", test_killed_during_pull },
    { "clock-ahead", test_clock_ahead },
    { "edit-after-newer-clock", test_edit_after_newer_clock },
    { "20000-changes-small-body", test_many_small_body },
    { "revoked", test_revoked },
    { "restored-backup", test_restored_backup },
    { "snapshot-first-sync", test_snapshot_first_sync },
    { "snapshot-tampered", test_snapshot_tampered },
    { "snapshot-tampered-last", test_snapshot_tampered_last },
    { "snapshot-early-copy", test_snapshot_early_copy },
    { "property-5-devices", test_property },
    { "odd-values", test_odd_values },
    { "unreadable-batch-parked", test_unreadable_batch_parked },
  };
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    {
      g_printerr ("usage: %s [--tap] STUPENI_SERVER STUPENI_SYNC_CLI\n", argv[0]);
      return 2;
    }
  server_binary = argv[1];
  cli_binary = argv[2];
  g_assert_true (stp_protocol_init (NULL));

  g_test_add_func ("/sync/batch/round-trip", test_batch_round_trip);
  g_test_add_func ("/sync/batch/format-1", test_batch_format1);
  g_test_add_func ("/sync/batch/malformed", test_batch_malformed);
  g_test_add_func ("/sync/batch/inflate-bomb", test_batch_inflate_bomb);
  g_test_add_func ("/sync/snapshot-file", test_snapshot_file);

  return fx_run ("sync", cases, G_N_ELEMENTS (cases));
}
