#define G_LOG_DOMAIN "test-protocol"

#include "config.h"

#include "stp-envelope.h"
#include "stp-wrapped-key.h"
#include "stp-snapshot.h"

#include <sodium.h>
#include <string.h>

static const guint8 test_key[32] = {
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static const char plaintext[] = "{\"changes\":[{\"table\":\"resident\",\"field\":\"surname\"}]}";

static StpEnvelope *
make_sealed (void)
{
  g_autoptr(GError) error = NULL;
  StpEnvelope *envelope;

  envelope = stp_envelope_new ("center-1", "device-1", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                               STP_HLC_MAKE (1700000000000, 7), 3, "key-1");
  g_assert_true (stp_envelope_seal (envelope, test_key, (const guint8 *) plaintext,
                                    strlen (plaintext), &error));
  g_assert_no_error (error);
  return envelope;
}

static void
test_hlc (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint64 hlc = STP_HLC_MAKE (1700000000123, 42);
  guint64 parsed = 0;
  const char *bad[] = { "", "-1", "+1", "01", " 1", "1 ", "1a", "18446744073709551616",
                        "123456789012345678901", "0x10", NULL };

  g_assert_cmpuint (STP_HLC_MILLIS (hlc), ==, 1700000000123);
  g_assert_cmpuint (STP_HLC_COUNTER (hlc), ==, 42);

  text = stp_hlc_to_string (hlc);
  g_assert_true (stp_hlc_parse (text, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed, ==, hlc);

  g_assert_true (stp_hlc_parse ("18446744073709551615", &parsed, NULL));
  g_assert_cmpuint (parsed, ==, G_MAXUINT64);
  g_assert_true (stp_hlc_parse ("0", &parsed, NULL));
  g_assert_cmpuint (parsed, ==, 0);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      g_test_message ("hlc: %s", bad[i]);
      g_assert_false (stp_hlc_parse (bad[i], &parsed, &local_error));
      g_assert_error (local_error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
    }
}

static void
test_base64 (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = stp_base64_encode ((const guint8 *) "hello", 5);
  const char *bad[] = { "aGVsbG8", "aGVs bG8=", "aGVsbG8==", "aGV=bG8=", "aGVsbG9=", "aGVsbG8*", "aB==",
                        "====", NULL };
  GError *error = NULL;

  g_assert_cmpstr (text, ==, "aGVsbG8=");
  bytes = stp_base64_decode (text, 16, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "hello", 5);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_test_message ("base64: %s", bad[i]);
      g_assert_null (stp_base64_decode (bad[i], 16, &error));
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
      g_clear_error (&error);
    }

  g_assert_null (stp_base64_decode (text, 4, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE);
  g_clear_error (&error);
}

static void
test_canonical (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  const char *input = "{ \"b\" : [1, true, null, \"x\\ny\"], \"a\": {\"z\": 1, \"é\": \"ё\"} }";

  node = stp_json_parse (input, strlen (input), &error);
  g_assert_no_error (error);
  text = stp_json_canonicalize (node);
  g_assert_cmpstr (text, ==, "{\"a\":{\"z\":1,\"é\":\"ё\"},\"b\":[1,true,null,\"x\\ny\"]}");

  g_assert_null (stp_json_parse ("{", 1, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (stp_json_parse ("\xff\xfe", 2, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
}

static void
expect_limit (const char          *text,
              const StpJsonLimits *limits,
              int                  code)      /* -1: parses */
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  /* Escaped: some cases are not UTF-8, which the TAP log must not get. */
  g_autofree char *shown = g_strescape (text, NULL);

  g_test_message ("%.80s", shown);
  node = stp_json_parse_bounded (text, strlen (text), limits, &error);
  if (code < 0)
    {
      g_assert_no_error (error);
      g_assert_nonnull (node);
    }
  else
    {
      g_assert_error (error, STP_PROTOCOL_ERROR, code);
      g_assert_null (node);
    }
}

/* Issue 14: the bounds are checked on the bytes, before json-glib's
 * recursive parser runs. */
static void
test_json_limits (void)
{
  const StpJsonLimits small = { .max_bytes = 64, .max_depth = 3, .max_string = 5,
                                .max_elements = 3, .max_values = 6 };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) wide = g_string_new ("[");

  /* Depth: 64 levels parse, 65 do not, and neither do 1 000 000. */
  for (guint i = 0; i < 64; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 64; i++)
    g_string_append_c (deep, ']');
  expect_limit (deep->str, NULL, -1);
  g_string_prepend_c (deep, '[');
  g_string_append_c (deep, ']');
  expect_limit (deep->str, NULL, STP_PROTOCOL_ERROR_TOO_LARGE);
  {
    g_autofree char *bomb = g_strnfill (1000000, '[');
    expect_limit (bomb, NULL, STP_PROTOCOL_ERROR_TOO_LARGE);
  }
  expect_limit ("[[[1]]]", &small, -1);
  expect_limit ("[[[[1]]]]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("{\"a\":{\"b\":{\"c\":{}}}}", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  /* Brackets inside strings are text, and an escaped quote does not end one. */
  expect_limit ("[\"[[[[\"]", &small, -1);
  expect_limit ("[\"\\\"[[[[\"]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);  /* 6 bytes */
  expect_limit ("[\"\\\"[[\"]", &small, -1);
  expect_limit ("[\"\\\"\",[[[[]]]]]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);

  /* Strings, member names and bare tokens. */
  expect_limit ("[\"abcde\"]", &small, -1);
  expect_limit ("[\"abcdef\"]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("{\"abcdef\":1}", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("[123456]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);

  /* Elements of one container and values in all. */
  expect_limit ("[1,2,3]", &small, -1);
  expect_limit ("[1,2,3,4]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("[[1,2],[3,4],[5,6]]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("[[1,2],[3]]", &small, -1);
  expect_limit ("[[1,2],[3,4]]", &small, STP_PROTOCOL_ERROR_TOO_LARGE);

  /* The whole size, and the usual errors still come from the parser. */
  for (guint i = 0; i < 40; i++)
    g_string_append (wide, "1,");
  g_string_append (wide, "1]");
  expect_limit (wide->str, &small, STP_PROTOCOL_ERROR_TOO_LARGE);
  expect_limit ("[1,", NULL, STP_PROTOCOL_ERROR_INVALID);
  expect_limit ("]]]]", NULL, STP_PROTOCOL_ERROR_INVALID);
  expect_limit ("\"\xc3\x28\"", NULL, STP_PROTOCOL_ERROR_INVALID);
  expect_limit ("", NULL, STP_PROTOCOL_ERROR_INVALID);
}

/* Found by fuzz-snapshot (issue 14): json-glib takes octal escapes such as
 * "\333", which make a byte that is not UTF-8; a manifest with one parsed,
 * and its canonical form did not.  Only JSON's own escapes are accepted,
 * and raw control characters, U+0000 and lone surrogates are refused. */
/* The typed member readers: every wrong type, a missing member and an
 * array over its bound are errors naming the member, never a critical
 * (the suite makes criticals fatal). */
static void
test_json_typed_members (void)
{
  const char *text = "{\"b\":true,\"a\":[1,2,3],\"o\":{},\"s\":\"x\",\"i\":5,\"n\":null,"
                     "\"f\":1.5,\"big\":9223372036854775807}";
  g_autoptr(JsonNode) root = stp_json_parse (text, strlen (text), NULL);
  JsonObject *object = json_node_get_object (root);
  static const char * const members[] = { "b", "a", "o", "s", "i", "n", "f", "big", "missing" };
  gboolean b = FALSE;
  gint64 i = 0;

  g_assert_true (stp_json_get_bool (object, "b", &b, NULL));
  g_assert_true (b);
  g_assert_cmpuint (json_array_get_length (stp_json_get_array (object, "a", 3, NULL)), ==, 3);
  g_assert_nonnull (stp_json_get_object (object, "o", NULL));
  g_assert_true (stp_json_get_int (object, "big", 0, G_MAXINT64, &i, NULL));
  g_assert_cmpint (i, ==, G_MAXINT64);
  for (guint m = 0; m < G_N_ELEMENTS (members); m++)
    {
      g_autoptr(GError) e1 = NULL;
      g_autoptr(GError) e2 = NULL;
      g_autoptr(GError) e3 = NULL;

      if (!g_str_equal (members[m], "b"))
        {
          g_assert_false (stp_json_get_bool (object, members[m], &b, &e1));
          g_assert_error (e1, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
          g_assert_nonnull (strstr (e1->message, members[m]));
        }
      if (!g_str_equal (members[m], "a"))
        {
          g_assert_null (stp_json_get_array (object, members[m], 100, &e2));
          g_assert_error (e2, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
        }
      if (!g_str_equal (members[m], "o"))
        {
          g_assert_null (stp_json_get_object (object, members[m], &e3));
          g_assert_error (e3, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
        }
    }
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (stp_json_get_array (object, "a", 2, &error));
    g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (stp_json_node_object (json_object_get_member (object, "a"), "a", &error));
    g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (stp_json_node_object (NULL, "nothing", &error));
    g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
    g_assert_nonnull (stp_json_node_object (root, "root", NULL));
  }
}

static void
test_json_strict_strings (void)
{
  const char *good[] = { "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"a\\/b\\n\\t\\\"\\\\\"",
                         "\"\\u0001\"", "[\"ё\"]", NULL };
  const char *bad[] = { "\"\\3\"", "\"\\333\"", "\"\\x41\"", "\"\\ud800\"", "\"\\udc00x\"",
                        "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"a\x01b\"", "\"a\nb\"",
                        "\"\\u12\"", "\"\\", "\"\\'\"", NULL };
  const char *manifest = "{\"chunks\":3,\"device\":\"d2\",\"format\":\"sq\\\\\\333333\","
                         "\"hash\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFYXRGBkaGxwdHh8=\","
                         "\"hlc\":\"148760000\",\"raw_bytes\":252,\"schema\":1,\"seq\":42,\"v\":1}";
  g_auto(StpSnapshotManifest) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *canonical = NULL;

      g_test_message ("good: %s", good[i]);
      node = stp_json_parse (good[i], strlen (good[i]), &error);
      g_assert_no_error (error);
      canonical = stp_json_canonicalize (node);
      g_assert_true (g_utf8_validate (canonical, -1, NULL));
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;

      g_test_message ("bad: %s", bad[i]);
      node = stp_json_parse (bad[i], strlen (bad[i]), &error);
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
      g_assert_null (node);
      g_clear_error (&error);
    }

  g_assert_false (stp_snapshot_manifest_from_json (&parsed, manifest, strlen (manifest), &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
}

static void
test_envelope_round_trip (void)
{
  g_autoptr(StpEnvelope) envelope = make_sealed ();
  g_autoptr(StpEnvelope) parsed = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;

  json = stp_envelope_to_json (envelope);
  g_assert_nonnull (strstr (json, "\"v\":1"));
  g_assert_nonnull (strstr (json, "\"hlc\":\"111411200000000007\""));

  parsed = stp_envelope_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (parsed->center, ==, "center-1");
  g_assert_cmpstr (parsed->device, ==, "device-1");
  g_assert_cmpstr (parsed->key_id, ==, "key-1");
  g_assert_cmpuint (parsed->hlc, ==, envelope->hlc);
  g_assert_cmpint (parsed->schema, ==, 3);

  json2 = stp_envelope_to_json (parsed);
  g_assert_cmpstr (json, ==, json2);

  opened = stp_envelope_open (parsed, test_key, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened),
                   plaintext, strlen (plaintext));
}

static JsonObject *
envelope_object (JsonNode **node_out)
{
  g_autoptr(StpEnvelope) envelope = make_sealed ();
  g_autofree char *json = stp_envelope_to_json (envelope);
  JsonNode *node = json_from_string (json, NULL);

  *node_out = node;
  return json_node_get_object (node);
}

typedef struct
{
  const char *name;
  const char *member;
  const char *json_value;      /* NULL: remove the member */
  int         code;
} MalformedCase;

static void
test_envelope_malformed (void)
{
  g_autofree char *big_id = g_strnfill (65, 'a');
  g_autofree char *big_id_json = g_strdup_printf ("\"%s\"", big_id);
  g_autofree char *big_ct = g_strnfill ((STP_ENVELOPE_MAX_CT_BYTES / 3 + 1) * 4, 'A');
  g_autofree char *big_ct_json = g_strdup_printf ("\"%s\"", big_ct);
  const MalformedCase cases[] = {
    { "v 2", "v", "2", STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION },
    { "v 0", "v", "0", STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION },
    { "v string", "v", "\"1\"", STP_PROTOCOL_ERROR_INVALID },
    { "v float", "v", "1.0", STP_PROTOCOL_ERROR_INVALID },
    { "v missing", "v", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "center missing", "center", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "center number", "center", "5", STP_PROTOCOL_ERROR_INVALID },
    { "center null", "center", "null", STP_PROTOCOL_ERROR_INVALID },
    { "center empty", "center", "\"\"", STP_PROTOCOL_ERROR_INVALID },
    { "center bad chars", "center", "\"a/b\"", STP_PROTOCOL_ERROR_INVALID },
    { "center oversize", "center", big_id_json, STP_PROTOCOL_ERROR_TOO_LARGE },
    { "device missing", "device", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "device array", "device", "[]", STP_PROTOCOL_ERROR_INVALID },
    { "device oversize", "device", big_id_json, STP_PROTOCOL_ERROR_TOO_LARGE },
    { "msg_id missing", "msg_id", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "msg_id object", "msg_id", "{}", STP_PROTOCOL_ERROR_INVALID },
    { "msg_id oversize", "msg_id", big_id_json, STP_PROTOCOL_ERROR_TOO_LARGE },
    { "hlc missing", "hlc", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "hlc number", "hlc", "12345", STP_PROTOCOL_ERROR_INVALID },
    { "hlc not decimal", "hlc", "\"12a\"", STP_PROTOCOL_ERROR_INVALID },
    { "hlc negative", "hlc", "\"-5\"", STP_PROTOCOL_ERROR_INVALID },
    { "hlc overflow", "hlc", "\"18446744073709551616\"", STP_PROTOCOL_ERROR_INVALID },
    { "hlc oversize", "hlc", "\"1234567890123456789012\"", STP_PROTOCOL_ERROR_TOO_LARGE },
    { "schema missing", "schema", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "schema string", "schema", "\"3\"", STP_PROTOCOL_ERROR_INVALID },
    { "schema float", "schema", "3.5", STP_PROTOCOL_ERROR_INVALID },
    { "schema negative", "schema", "-1", STP_PROTOCOL_ERROR_TOO_LARGE },
    { "schema huge", "schema", "99999999999", STP_PROTOCOL_ERROR_TOO_LARGE },
    { "key_id missing", "key_id", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "key_id bool", "key_id", "true", STP_PROTOCOL_ERROR_INVALID },
    { "key_id oversize", "key_id", big_id_json, STP_PROTOCOL_ERROR_TOO_LARGE },
    { "nonce missing", "nonce", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "nonce short", "nonce", "\"AAAA\"", STP_PROTOCOL_ERROR_INVALID },
    { "nonce not base64", "nonce", "\"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\"", STP_PROTOCOL_ERROR_INVALID },
    { "nonce too long", "nonce", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"", STP_PROTOCOL_ERROR_TOO_LARGE },
    { "ct missing", "ct", NULL, STP_PROTOCOL_ERROR_INVALID },
    { "ct number", "ct", "1", STP_PROTOCOL_ERROR_INVALID },
    { "ct not base64", "ct", "\"a b c d \"", STP_PROTOCOL_ERROR_INVALID },
    { "ct too short", "ct", "\"AAAA\"", STP_PROTOCOL_ERROR_INVALID },
    { "ct oversize", "ct", big_ct_json, STP_PROTOCOL_ERROR_TOO_LARGE },
    { "unknown field", "extra", "1", STP_PROTOCOL_ERROR_INVALID },
  };
  const char *whole[] = { "", "[]", "null", "\"x\"", "42", "{", "{\"v\":1", "{}", "[{}]",
                          "{\"v\":1}", NULL };

  for (guint i = 0; whole[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("whole: %s", whole[i]);
      g_assert_null (stp_envelope_from_json (whole[i], -1, &error));
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      JsonObject *object = envelope_object (&node);

      g_test_message ("case: %s", cases[i].name);
      if (cases[i].json_value == NULL)
        json_object_remove_member (object, cases[i].member);
      else
        json_object_set_member (object, cases[i].member,
                                json_from_string (cases[i].json_value, NULL));
      json = stp_json_canonicalize (node);
      g_assert_null (stp_envelope_from_json (json, -1, &error));
      g_assert_error (error, STP_PROTOCOL_ERROR, cases[i].code);
      g_assert_nonnull (error->message);
    }
}

static void
test_envelope_tamper (void)
{
  const char *fields[] = { "center", "device", "msg_id", "hlc", "schema", "key_id", "nonce", NULL };

  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_autoptr(StpEnvelope) envelope = make_sealed ();
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("tamper: %s", fields[i]);
      if (g_str_equal (fields[i], "center"))
        g_free (g_steal_pointer (&envelope->center)), envelope->center = g_strdup ("center-2");
      else if (g_str_equal (fields[i], "device"))
        g_free (g_steal_pointer (&envelope->device)), envelope->device = g_strdup ("device-2");
      else if (g_str_equal (fields[i], "msg_id"))
        g_free (g_steal_pointer (&envelope->msg_id)), envelope->msg_id = g_strdup ("other");
      else if (g_str_equal (fields[i], "hlc"))
        envelope->hlc++;
      else if (g_str_equal (fields[i], "schema"))
        envelope->schema++;
      else if (g_str_equal (fields[i], "key_id"))
        g_free (g_steal_pointer (&envelope->key_id)), envelope->key_id = g_strdup ("key-2");
      else if (g_str_equal (fields[i], "nonce"))
        envelope->nonce[5] ^= 1;

      opened = stp_envelope_open (envelope, test_key, &error);
      g_assert_null (opened);
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
    }

  /* One ciphertext byte, and the tag's last byte. */
  for (guint which = 0; which < 2; which++)
    {
      g_autoptr(StpEnvelope) envelope = make_sealed ();
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;
      guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&envelope->ct), &len);

      data[which == 0 ? 3 : len - 1] ^= 0x80;
      envelope->ct = g_bytes_new_take (data, len);
      opened = stp_envelope_open (envelope, test_key, &error);
      g_assert_null (opened);
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
    }
}

static void
test_envelope_wrong_key (void)
{
  g_autoptr(StpEnvelope) envelope = make_sealed ();
  g_autoptr(GError) error = NULL;
  guint8 other[32];

  memcpy (other, test_key, sizeof other);
  other[31] ^= 1;
  g_assert_null (stp_envelope_open (envelope, other, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
}

static void
test_envelope_seal_invalid (void)
{
  g_autoptr(StpEnvelope) envelope = stp_envelope_new ("bad center", "d", "m", 1, 1, "k");
  g_autoptr(GError) error = NULL;

  g_assert_false (stp_envelope_seal (envelope, test_key, (const guint8 *) "x", 1, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
}

static StpWrappedKey *
wrap_test_key (const char *passphrase)
{
  g_autoptr(GError) error = NULL;
  StpWrappedKey *wrapped;

  wrapped = stp_wrapped_key_wrap ("key-1", test_key, passphrase,
                                  stp_wrapped_key_min_ops (), stp_wrapped_key_min_mem (),
                                  &error);
  g_assert_no_error (error);
  g_assert_nonnull (wrapped);
  return wrapped;
}

static void
test_wrapped_key_round_trip (void)
{
  g_autoptr(StpWrappedKey) wrapped = wrap_test_key ("правильный пароль");
  g_autoptr(StpWrappedKey) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = stp_wrapped_key_to_json (wrapped);
  guint8 key[32] = { 0 };
  guint8 generated[32] = { 0 }, generated2[32] = { 0 };

  g_assert_nonnull (strstr (json, "\"check\":"));
  g_assert_nonnull (strstr (json, "\"ops\":"));
  g_assert_nonnull (strstr (json, "\"mem\":"));

  parsed = stp_wrapped_key_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (parsed->key_id, ==, "key-1");
  g_assert_true (stp_wrapped_key_unwrap (parsed, "правильный пароль", key, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key, 32, test_key, 32);

  stp_center_key_generate (generated);
  stp_center_key_generate (generated2);
  g_assert_true (memcmp (generated, generated2, 32) != 0);
}

static void
test_wrapped_key_wrong_passphrase (void)
{
  g_autoptr(StpWrappedKey) wrapped = wrap_test_key ("correct horse");
  g_autoptr(GError) error = NULL;
  guint8 key[32];

  g_assert_false (stp_wrapped_key_unwrap (wrapped, "correct horsE", key, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_WRONG_PASSPHRASE);
  g_assert_cmpstr (error->message, ==, "The center passphrase is wrong");
}

static void
test_wrapped_key_tamper (void)
{
  g_autoptr(StpWrappedKey) wrapped = wrap_test_key ("pass");
  guint8 key[32];
  GError *error = NULL;

  wrapped->wrapped[0] ^= 1;
  g_assert_false (stp_wrapped_key_unwrap (wrapped, "pass", key, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
  g_clear_error (&error);
  wrapped->wrapped[0] ^= 1;

  /* The key id is bound to the wrapped key as additional data. */
  g_free (wrapped->key_id);
  wrapped->key_id = g_strdup ("key-2");
  g_assert_false (stp_wrapped_key_unwrap (wrapped, "pass", key, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
  g_clear_error (&error);
}

static void
test_wrapped_key_malformed (void)
{
  g_autoptr(StpWrappedKey) wrapped = wrap_test_key ("pass");
  g_autofree char *json = stp_wrapped_key_to_json (wrapped);
  const struct { const char *member; const char *value; } cases[] = {
    { "key_id", NULL }, { "key_id", "1" }, { "key_id", "\"a b\"" },
    { "salt", NULL }, { "salt", "\"AAAA\"" }, { "salt", "2" },
    { "nonce", NULL }, { "nonce", "\"AAAA\"" },
    { "wrapped", NULL }, { "wrapped", "\"AAAA\"" },
    { "check", NULL }, { "check", "\"AAAA\"" },
    { "ops", NULL }, { "ops", "\"2\"" }, { "ops", "0" }, { "ops", "1000" },
    { "mem", NULL }, { "mem", "1" }, { "mem", "99999999999999" }, { "mem", "1.5" },
    { "other", "1" },
  };
  GError *error = NULL;

  g_assert_null (stp_wrapped_key_from_json ("[]", -1, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (stp_wrapped_key_from_json ("{", -1, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (json, NULL);
      JsonObject *object = json_node_get_object (node);
      g_autofree char *text = NULL;

      g_test_message ("wrapped key: %s = %s", cases[i].member, cases[i].value);
      if (cases[i].value == NULL)
        json_object_remove_member (object, cases[i].member);
      else
        json_object_set_member (object, cases[i].member, json_from_string (cases[i].value, NULL));
      text = stp_json_canonicalize (node);
      g_assert_null (stp_wrapped_key_from_json (text, -1, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == STP_PROTOCOL_ERROR);
      g_clear_error (&error);
    }
}

/* Every device number of a center gets its own two-character code, none of
 * them "00" (the code before enrollment) and each one the core accepts. */
static void
test_device_codes (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *first = stp_device_code_for_number (1);
  g_autofree char *last_digits = stp_device_code_for_number (99);
  g_autofree char *first_letters = stp_device_code_for_number (100);

  g_assert_cmpstr (first, ==, "01");
  g_assert_cmpstr (last_digits, ==, "99");
  g_assert_cmpstr (first_letters, ==, "A0");
  for (gint64 n = 1; n <= STP_DEVICE_NUMBER_MAX; n++)
    {
      char *code = stp_device_code_for_number (n);

      g_assert_nonnull (code);
      g_assert_cmpuint (strlen (code), ==, 2);
      g_assert_true (g_ascii_isdigit (code[0]) || g_ascii_isupper (code[0]));
      g_assert_true (g_ascii_isdigit (code[1]) || g_ascii_isupper (code[1]));
      g_assert_null (strpbrk (code, "IO"));
      g_assert_cmpstr (code, !=, "00");
      g_assert_false (g_hash_table_contains (seen, code));
      g_hash_table_add (seen, code);
    }
  g_assert_null (stp_device_code_for_number (0));
  g_assert_null (stp_device_code_for_number (-1));
  g_assert_null (stp_device_code_for_number (STP_DEVICE_NUMBER_MAX + 1));
}

static void
test_deflate_round_trip (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *empty = "";

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "[\"фамилия\",\"Петров %u\",%u]", i, i * 7);
  for (int level = 1; level <= 9; level += 8)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) packed = stp_deflate ((const guint8 *) text->str, text->len, level);
      g_autoptr(GBytes) unpacked = NULL;

      g_assert_cmpuint (g_bytes_get_size (packed), <, text->len / 4);
      unpacked = stp_inflate (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed),
                              text->len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (unpacked, NULL), g_bytes_get_size (unpacked),
                       text->str, text->len);
    }

  /* Empty input, and incompressible input. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) packed = stp_deflate ((const guint8 *) empty, 0, 1);
    g_autoptr(GBytes) unpacked = stp_inflate (g_bytes_get_data (packed, NULL),
                                              g_bytes_get_size (packed), 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (unpacked), ==, 0);
  }
  {
    g_autoptr(GError) error = NULL;
    guint8 noise[70000];
    g_autoptr(GBytes) packed = NULL;
    g_autoptr(GBytes) unpacked = NULL;

    randombytes_buf (noise, sizeof noise);
    packed = stp_deflate (noise, sizeof noise, 1);
    unpacked = stp_inflate (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed),
                            sizeof noise, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (unpacked, NULL), g_bytes_get_size (unpacked),
                     noise, sizeof noise);
  }
}

static void
test_inflate_malformed (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) packed = NULL;
  const guint8 *data;
  gsize len;
  g_autofree guint8 *copy = NULL;

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (text, "{\"n\":%u}", i);
  packed = stp_deflate ((const guint8 *) text->str, text->len, 6);
  data = g_bytes_get_data (packed, &len);

  /* Every truncation is refused, never read as a shorter text. */
  for (gsize cut = 0; cut < len; cut += (cut < 64 ? 1 : 97))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = stp_inflate (data, cut, text->len, &error);

      g_assert_null (out);
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
    }

  /* Bytes after the end of the stream. */
  copy = g_malloc (len + 3);
  memcpy (copy, data, len);
  memcpy (copy + len, "abc", 3);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out = stp_inflate (copy, len + 3, text->len, &error);

    g_assert_null (out);
    g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  }

  /* Garbage, and flipped bytes: an error or (rarely, deflate has no
   * checksum) some other text, never a crash. */
  {
    g_autoptr(GError) error = NULL;
    const guint8 garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x12, 0x34 };
    g_autoptr(GBytes) out = stp_inflate (garbage, sizeof garbage, 1024, &error);

    g_assert_null (out);
    g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  }
  for (gsize i = 0; i < len; i += 13)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;

      memcpy (copy, data, len);
      copy[i] ^= 0x5a;
      out = stp_inflate (copy, len, text->len, &error);
      g_assert_true ((out == NULL) != (error == NULL));
    }
}

static void
test_inflate_bomb (void)
{
  gsize big = 80 * 1024 * 1024;
  g_autofree guint8 *zeros = g_malloc0 (big);
  g_autoptr(GBytes) packed = stp_deflate (zeros, big, 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  g_clear_pointer (&zeros, g_free);
  /* 80 MiB of zeros pack into about 80 KiB. */
  g_assert_cmpuint (g_bytes_get_size (packed), <, 200 * 1024);
  out = stp_inflate (g_bytes_get_data (packed, NULL), g_bytes_get_size (packed),
                     64 * 1024 * 1024, &error);
  g_assert_null (out);
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE);

  /* A limit of exactly the size is enough; one byte less is not. */
  {
    const char *text = "0123456789";
    g_autoptr(GBytes) small = stp_deflate ((const guint8 *) text, 10, 1);
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GBytes) exact = stp_inflate (g_bytes_get_data (small, NULL),
                                           g_bytes_get_size (small), 10, &local_error);
    g_autoptr(GBytes) over = NULL;

    g_assert_no_error (local_error);
    g_assert_cmpuint (g_bytes_get_size (exact), ==, 10);
    over = stp_inflate (g_bytes_get_data (small, NULL), g_bytes_get_size (small), 9, &local_error);
    g_assert_null (over);
    g_assert_error (local_error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE);
  }
}

static void
test_snapshot_seal (void)
{
  guint8 key[32], other[32];
  const char *text = "SQLite format 3 and so on";
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  randombytes_buf (key, sizeof key);
  randombytes_buf (other, sizeof other);
  sealed = stp_snapshot_seal (key, "center-1", "snap-1", 2, 5, (const guint8 *) text,
                              strlen (text), &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (sealed, &len);
  g_assert_cmpuint (len, ==, strlen (text) + STP_SNAPSHOT_SEAL_OVERHEAD);

  plain = stp_snapshot_open (key, "center-1", "snap-1", 2, 5, data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), text, strlen (text));

  /* Another place, another snapshot, another center, another count, another
   * key, or one changed byte: refused. */
  {
    struct { const char *center, *snapshot; gint64 index, chunks; const guint8 *k; } bad[] = {
      { "center-1", "snap-1", 3, 5, key },
      { "center-1", "snap-1", STP_SNAPSHOT_MANIFEST, 5, key },
      { "center-1", "snap-2", 2, 5, key },
      { "center-2", "snap-1", 2, 5, key },
      { "center-1", "snap-1", 2, 3, key },
      { "center-1", "snap-1", 2, 5, other },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) e = NULL;
        g_autoptr(GBytes) p = stp_snapshot_open (bad[i].k, bad[i].center, bad[i].snapshot,
                                                 bad[i].index, bad[i].chunks, data, len, &e);
        g_assert_null (p);
        g_assert_error (e, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
      }
  }
  for (gsize at = 0; at < len; at += 7)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GError) e = NULL;
      g_autoptr(GBytes) p = NULL;

      copy[at] ^= 0x01;
      p = stp_snapshot_open (key, "center-1", "snap-1", 2, 5, copy, len, &e);
      g_assert_null (p);
      g_assert_error (e, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
    }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(GBytes) p = stp_snapshot_open (key, "center-1", "snap-1", 2, 5, data, 10, &e);
    g_assert_null (p);
    g_assert_error (e, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT);
  }
  /* Indexes outside the snapshot and invalid ids are refused before any
   * crypto. */
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(GBytes) p = stp_snapshot_seal (key, "center 1", "snap-1", 0, 1,
                                             (const guint8 *) "x", 1, &e);
    g_assert_null (p);
    g_assert_error (e, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(GBytes) p = stp_snapshot_seal (key, "center-1", "snap-1", 1, 1,
                                             (const guint8 *) "x", 1, &e);
    g_assert_null (p);
    g_assert_error (e, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
  }
}

static void
test_snapshot_manifest (void)
{
  g_auto(StpSnapshotManifest) in = { 0, };
  g_auto(StpSnapshotManifest) out = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  in.format = g_strdup (STP_SNAPSHOT_FORMAT);
  in.schema = 5;
  in.seq = 4242;
  in.chunks = 3;
  in.raw_bytes = 123456789;
  for (guint i = 0; i < sizeof in.hash; i++)
    in.hash[i] = (guint8) (i * 7);
  in.device = g_strdup ("dev-a");
  in.hlc = G_GUINT64_CONSTANT (111411200000000007);
  json = stp_snapshot_manifest_to_json (&in);
  g_assert_true (stp_snapshot_manifest_from_json (&out, json, strlen (json), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out.format, ==, STP_SNAPSHOT_FORMAT);
  g_assert_cmpint (out.schema, ==, 5);
  g_assert_cmpint (out.seq, ==, 4242);
  g_assert_cmpint (out.chunks, ==, 3);
  g_assert_cmpint (out.raw_bytes, ==, 123456789);
  g_assert_cmpmem (out.hash, sizeof out.hash, in.hash, sizeof in.hash);
  g_assert_cmpstr (out.device, ==, "dev-a");
  g_assert_cmpuint (out.hlc, ==, in.hlc);

  {
    const char *bad[] = {
      "[]",
      "{\"v\":1}",
      "{\"v\":2,\"format\":\"f\",\"schema\":5,\"seq\":1,\"chunks\":1,\"raw_bytes\":1,"
      "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"device\":\"d\",\"hlc\":\"1\"}",
      /* a hash of 31 bytes */
      "{\"v\":1,\"format\":\"f\",\"schema\":5,\"seq\":1,\"chunks\":1,\"raw_bytes\":1,"
      "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\",\"device\":\"d\",\"hlc\":\"1\"}",
      /* no chunks */
      "{\"v\":1,\"format\":\"f\",\"schema\":5,\"seq\":1,\"chunks\":0,\"raw_bytes\":1,"
      "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"device\":\"d\",\"hlc\":\"1\"}",
      /* an extra member */
      "{\"v\":1,\"format\":\"f\",\"schema\":5,\"seq\":1,\"chunks\":1,\"raw_bytes\":1,\"x\":1,"
      "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"device\":\"d\",\"hlc\":\"1\"}",
      /* seq as a string */
      "{\"v\":1,\"format\":\"f\",\"schema\":5,\"seq\":\"1\",\"chunks\":1,\"raw_bytes\":1,"
      "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"device\":\"d\",\"hlc\":\"1\"}",
      /* a device id with a space */
      "{\"v\":1,\"format\":\"f\",\"schema\":5,\"seq\":1,\"chunks\":1,\"raw_bytes\":1,"
      "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"device\":\"d d\",\"hlc\":\"1\"}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(StpSnapshotManifest) m = { 0, };
        g_autoptr(GError) e = NULL;

        g_assert_false (stp_snapshot_manifest_from_json (&m, bad[i], strlen (bad[i]), &e));
        g_assert_error (e, STP_PROTOCOL_ERROR, (i == 2 ? STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION
                                                       : e->code));
        g_assert_null (m.format);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (stp_protocol_init (NULL));

  g_test_add_func ("/protocol/hlc", test_hlc);
  g_test_add_func ("/protocol/base64", test_base64);
  g_test_add_func ("/protocol/device-codes", test_device_codes);
  g_test_add_func ("/protocol/canonical-json", test_canonical);
  g_test_add_func ("/protocol/json-limits", test_json_limits);
  g_test_add_func ("/protocol/json-strict-strings", test_json_strict_strings);
  g_test_add_func ("/protocol/json-typed-members", test_json_typed_members);
  g_test_add_func ("/protocol/envelope/round-trip", test_envelope_round_trip);
  g_test_add_func ("/protocol/envelope/malformed", test_envelope_malformed);
  g_test_add_func ("/protocol/envelope/tamper", test_envelope_tamper);
  g_test_add_func ("/protocol/envelope/wrong-key", test_envelope_wrong_key);
  g_test_add_func ("/protocol/envelope/seal-invalid", test_envelope_seal_invalid);
  g_test_add_func ("/protocol/wrapped-key/round-trip", test_wrapped_key_round_trip);
  g_test_add_func ("/protocol/wrapped-key/wrong-passphrase", test_wrapped_key_wrong_passphrase);
  g_test_add_func ("/protocol/wrapped-key/tamper", test_wrapped_key_tamper);
  g_test_add_func ("/protocol/wrapped-key/malformed", test_wrapped_key_malformed);
  g_test_add_func ("/protocol/deflate/round-trip", test_deflate_round_trip);
  g_test_add_func ("/protocol/deflate/malformed", test_inflate_malformed);
  g_test_add_func ("/protocol/deflate/bomb", test_inflate_bomb);
  g_test_add_func ("/protocol/snapshot/seal", test_snapshot_seal);
  g_test_add_func ("/protocol/snapshot/manifest", test_snapshot_manifest);

  return g_test_run ();
}
