/* stp-sync-batch.c: the change batches that travel inside envelopes
 * (encoding, strict decoding, msg_id); used by the sync engine. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-batch.h"
#include "stp-sync-engine.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

/* The envelope plaintext (opaque to the server; docs/PROTOCOL.md, "Change
 * batches").  Written as format 2: the four bytes "STZ1", then a raw
 * deflate stream (RFC 1951) of the JSON object
 *
 *   {"format":2,"devices":["<device id>",…],
 *    "rows":[["<table>","<row id>",<change>,<change>,…],…]}
 *
 * with each change [field, value, hlc, device] or [field, value, hlc,
 * device, base hlc, base device]: value a string or null, HLCs decimal
 * integers, devices indexes into "devices".  A "rows" group is a maximal
 * run of consecutive changes to the same table and row, so the changes
 * keep their exact order; the base pair is there when the writer saw a
 * version (base HLC not 0).  The members come in this order, and the
 * inflated text may be at most BATCH_MAX_PLAINTEXT bytes.
 *
 * Format 1, still read (batches already stored on servers), is an
 * uncompressed JSON array of changes, each {"t": table, "r": row id,
 * "f": field, "v": value or null, "h": HLC, "d": device, "bh": base HLC,
 * "bd": base device} ("bh"/"bd" absent when the writer saw no version).
 * A plaintext starting with "[" is format 1, one starting with "{" an
 * uncompressed format 2 object (not written, but read).
 *
 * The envelope's msg_id is "<server device id>.<24 hex digits>", the
 * digits being the start of the BLAKE2b hash of the batch's plaintext:
 * the same rows give the same batch and so the same id, and a push
 * repeated after a lost reply is stored once; other changes never share
 * an id, not even when a database restored from a backup hands out outbox
 * ids again (an id made of outbox ids would be answered with the old
 * batch's seq, and the new changes dropped as if they were stored). */

#define BATCH_MAGIC          "STZ1"
#define BATCH_MAGIC_LEN      4
#define BATCH_FORMAT         2
/* What a batch may inflate to: far above what a writer makes (the outbox
 * is peeked in batches of at most BATCH_MAX_RAW_BYTES of its estimate),
 * low enough that a hostile batch cannot exhaust memory. */
#define BATCH_MAX_PLAINTEXT  (64 * 1024 * 1024)
/* Level 1 is several times faster than the default 6 and only a little
 * larger on batches of changes. */
#define BATCH_DEFLATE_LEVEL  1

/* JSON string escaping as in canonical JSON (docs/PROTOCOL.md). */
static void
append_json_string (GString    *out,
                    const char *text)
{
  const unsigned char *run = (const unsigned char *) text;
  const unsigned char *p;

  g_string_append_c (out, '"');
  for (p = run; *p != '\0'; p++)
    {
      const char *escape;
      char buf[8];

      if (*p >= 0x20 && *p != '"' && *p != '\\')
        continue;
      g_string_append_len (out, (const char *) run, p - run);
      switch (*p)
        {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
          g_snprintf (buf, sizeof buf, "\\u%04x", *p);
          escape = buf;
        }
      g_string_append (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

static void
append_uint (GString *out,
             guint64  value)
{
  char buf[21];
  int i = sizeof buf;

  do
    {
      buf[--i] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  g_string_append_len (out, buf + i, (gssize) sizeof buf - i);
}

typedef struct
{
  GHashTable *index;       /* device id (borrowed) -> position + 1 */
  GPtrArray  *ids;         /* borrowed */
  const char *last;
  guint       last_index;
} DeviceDict;

static guint
device_dict_index (DeviceDict *dict,
                   const char *device)
{
  gpointer found;

  if (dict->last != NULL && strcmp (dict->last, device) == 0)
    return dict->last_index;
  found = g_hash_table_lookup (dict->index, device);
  if (found == NULL)
    {
      g_ptr_array_add (dict->ids, (gpointer) device);
      found = GUINT_TO_POINTER (dict->ids->len);
      g_hash_table_insert (dict->index, (gpointer) device, found);
    }
  dict->last = device;
  dict->last_index = GPOINTER_TO_UINT (found) - 1;
  return dict->last_index;
}

/* Written by hand: JsonBuilder costs several times more for big batches. */
static char *
batch_to_json (GPtrArray *changes,
               gsize     *len,
               guint64   *max_hlc)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  DeviceDict dict = { index, ids, NULL, 0 };
  g_autofree guint *device_of = g_new (guint, 2 * (gsize) changes->len + 1);
  GString *out = g_string_sized_new (64 + (gsize) changes->len * 64);
  StpChange *prev = NULL;

  *max_hlc = 0;
  for (guint i = 0; i < changes->len; i++)
    {
      StpChange *c = g_ptr_array_index (changes, i);

      device_of[2 * i] = device_dict_index (&dict, c->device);
      if (c->base_hlc != 0)
        device_of[2 * i + 1] = device_dict_index (&dict, c->base_device != NULL ? c->base_device : "");
      *max_hlc = MAX (*max_hlc, c->hlc);
    }

  g_string_append (out, "{\"format\":2,\"devices\":[");
  for (guint d = 0; d < ids->len; d++)
    {
      if (d > 0)
        g_string_append_c (out, ',');
      append_json_string (out, g_ptr_array_index (ids, d));
    }
  g_string_append (out, "],\"rows\":[");
  for (guint i = 0; i < changes->len; i++)
    {
      StpChange *c = g_ptr_array_index (changes, i);

      if (prev == NULL || strcmp (prev->row_id, c->row_id) != 0
          || strcmp (prev->table, c->table) != 0)
        {
          if (prev != NULL)
            g_string_append (out, "],");
          g_string_append_c (out, '[');
          append_json_string (out, c->table);
          g_string_append_c (out, ',');
          append_json_string (out, c->row_id);
        }
      g_string_append (out, ",[");
      append_json_string (out, c->field);
      g_string_append_c (out, ',');
      if (c->value != NULL)
        append_json_string (out, c->value);
      else
        g_string_append (out, "null");
      g_string_append_c (out, ',');
      append_uint (out, c->hlc);
      g_string_append_c (out, ',');
      append_uint (out, device_of[2 * i]);
      if (c->base_hlc != 0)
        {
          g_string_append_c (out, ',');
          append_uint (out, c->base_hlc);
          g_string_append_c (out, ',');
          append_uint (out, device_of[2 * i + 1]);
        }
      g_string_append_c (out, ']');
      prev = c;
    }
  if (prev != NULL)
    g_string_append_c (out, ']');
  g_string_append (out, "]}");
  *len = out->len;
  return g_string_free (out, FALSE);
}

/* The msg_id of a sealed batch (see above): 36 + 1 + 24 characters at
 * most, within the protocol's 64. */
char *
stp_sync_batch_msg_id (const char *device,
                       GBytes     *plaintext)
{
  guint8 hash[crypto_generichash_BYTES_MIN];
  GString *id = g_string_new (device);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (plaintext, &len);

  crypto_generichash (hash, sizeof hash, data, len, NULL, 0);
  g_string_append_c (id, '.');
  for (guint i = 0; i < 12; i++)
    g_string_append_printf (id, "%02x", hash[i]);
  return g_string_free (id, FALSE);
}

/* The compressed format 2 plaintext of @changes, or NULL when it would
 * inflate to more than readers accept (only with values full of control
 * characters, escaped six times their size). */
GBytes *
stp_sync_batch_encode (GPtrArray *changes,
                       guint64   *max_hlc)
{
  gsize len = 0;
  g_autofree char *json = batch_to_json (changes, &len, max_hlc);
  g_autoptr(GBytes) deflated = NULL;
  gsize deflated_len = 0;
  const guint8 *data;
  guint8 *out;

  if (len > BATCH_MAX_PLAINTEXT)
    return NULL;
  deflated = stp_deflate ((const guint8 *) json, len, BATCH_DEFLATE_LEVEL);
  g_clear_pointer (&json, g_free);
  data = g_bytes_get_data (deflated, &deflated_len);
  out = g_malloc (BATCH_MAGIC_LEN + deflated_len);

  memcpy (out, BATCH_MAGIC, BATCH_MAGIC_LEN);
  if (deflated_len > 0)
    memcpy (out + BATCH_MAGIC_LEN, data, deflated_len);
  return g_bytes_new_take (out, BATCH_MAGIC_LEN + deflated_len);
}

/* A strict reader for format 2 and a fast one for format 1. */
typedef struct
{
  const char *p;
  const char *end;
} Scan;

static void
scan_space (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

static gboolean
scan_char (Scan *s,
           char  c)
{
  scan_space (s);
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  return FALSE;
}

static gboolean
scan_hex4 (Scan    *s,
           guint32 *out)
{
  guint32 v = 0;

  if (s->end - s->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (s->p[i]);

      if (d < 0)
        return FALSE;
      v = v << 4 | (guint32) d;
    }
  s->p += 4;
  *out = v;
  return TRUE;
}

/* Any JSON string: every escape, surrogate pairs; no raw control
 * characters, no invalid UTF-8, no NUL (a value is a C string). */
static gboolean
scan_json_string (Scan  *s,
                  char **out)
{
  const char *start;
  GString *str;

  if (!scan_char (s, '"'))
    return FALSE;
  start = s->p;
  while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (guchar) *s->p >= 0x20)
    s->p++;
  if (s->p < s->end && *s->p == '"')
    {
      if (!g_utf8_validate_len (start, s->p - start, NULL))
        return FALSE;
      *out = g_strndup (start, s->p - start);
      s->p++;
      return TRUE;
    }

  str = g_string_new_len (start, s->p - start);
  while (s->p < s->end && *s->p != '"')
    {
      char c = *s->p++;
      guint32 code, low;

      if ((guchar) c < 0x20)
        goto fail;
      if (c != '\\')
        {
          g_string_append_c (str, c);
          continue;
        }
      if (s->p >= s->end)
        goto fail;
      c = *s->p++;
      switch (c)
        {
        case '"': case '\\': case '/':
          g_string_append_c (str, c);
          break;
        case 'b': g_string_append_c (str, '\b'); break;
        case 'f': g_string_append_c (str, '\f'); break;
        case 'n': g_string_append_c (str, '\n'); break;
        case 'r': g_string_append_c (str, '\r'); break;
        case 't': g_string_append_c (str, '\t'); break;
        case 'u':
          if (!scan_hex4 (s, &code) || code == 0 || (code >= 0xdc00 && code <= 0xdfff))
            goto fail;
          if (code >= 0xd800 && code <= 0xdbff)
            {
              if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                goto fail;
              s->p += 2;
              if (!scan_hex4 (s, &low) || low < 0xdc00 || low > 0xdfff)
                goto fail;
              code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            }
          g_string_append_unichar (str, code);
          break;
        default:
          goto fail;
        }
    }
  if (s->p >= s->end || !g_utf8_validate_len (str->str, str->len, NULL))
    goto fail;
  s->p++;
  *out = g_string_free (str, FALSE);
  return TRUE;

fail:
  g_string_free (str, TRUE);
  return FALSE;
}

/* A JSON integer 0..2^64-1: digits, no sign, no leading zero. */
static gboolean
scan_json_uint (Scan    *s,
                guint64 *out)
{
  const char *start;
  guint64 v = 0;

  scan_space (s);
  start = s->p;
  while (s->p < s->end && g_ascii_isdigit (*s->p))
    {
      guint digit = (guint) (*s->p - '0');

      if (v > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
      s->p++;
    }
  if (s->p == start || (s->p - start > 1 && *start == '0'))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
scan_key (Scan       *s,
          const char *key)
{
  g_autofree char *text = NULL;

  return scan_json_string (s, &text) && g_str_equal (text, key) && scan_char (s, ':');
}

static gboolean
scan_null (Scan *s)
{
  scan_space (s);
  if (s->end - s->p >= 4 && memcmp (s->p, "null", 4) == 0)
    {
      s->p += 4;
      return TRUE;
    }
  return FALSE;
}

static gboolean
scan_device (Scan       *s,
             GPtrArray  *devices,
             char      **out)
{
  guint64 index;

  if (!scan_json_uint (s, &index) || index >= devices->len)
    return FALSE;
  *out = g_strdup (g_ptr_array_index (devices, index));
  return TRUE;
}

static guint extra_format_for_tests;

void
stp_sync_batch_set_extra_format_for_tests (guint format)
{
  g_atomic_int_set (&extra_format_for_tests, format);
}

/* Format 2 (uncompressed), see above; NULL on anything else, with
 * *newer set when it is a format this version does not know. */
static GPtrArray *
batch_read_format2 (const char *data,
                    gsize       len,
                    gboolean   *newer)
{
  Scan s = { data, data + len };
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  guint64 format;

  *newer = FALSE;
  if (!scan_char (&s, '{') || !scan_key (&s, "format") || !scan_json_uint (&s, &format))
    return NULL;
  if (format != BATCH_FORMAT
      && (format == 0 || format != (guint64) g_atomic_int_get (&extra_format_for_tests)))
    {
      *newer = format > BATCH_FORMAT;
      return NULL;
    }
  if (!scan_char (&s, ',') || !scan_key (&s, "devices") || !scan_char (&s, '['))
    return NULL;
  if (!scan_char (&s, ']'))
    {
      do
        {
          char *device = NULL;

          if (!scan_json_string (&s, &device))
            return NULL;
          g_ptr_array_add (devices, device);
        }
      while (scan_char (&s, ','));
      if (!scan_char (&s, ']'))
        return NULL;
    }
  if (!scan_char (&s, ',') || !scan_key (&s, "rows") || !scan_char (&s, '['))
    return NULL;
  if (!scan_char (&s, ']'))
    {
      do
        {
          g_autofree char *table = NULL;
          g_autofree char *row_id = NULL;

          if (!scan_char (&s, '[') || !scan_json_string (&s, &table)
              || !scan_char (&s, ',') || !scan_json_string (&s, &row_id)
              || !scan_char (&s, ','))
            return NULL;
          do
            {
              g_autoptr(StpChange) c = stp_change_new ();

              c->table = g_strdup (table);
              c->row_id = g_strdup (row_id);
              if (!scan_char (&s, '[') || !scan_json_string (&s, &c->field) || !scan_char (&s, ','))
                return NULL;
              if (!scan_null (&s) && !scan_json_string (&s, &c->value))
                return NULL;
              if (!scan_char (&s, ',') || !scan_json_uint (&s, &c->hlc)
                  || !scan_char (&s, ',') || !scan_device (&s, devices, &c->device))
                return NULL;
              if (scan_char (&s, ','))
                {
                  if (!scan_json_uint (&s, &c->base_hlc) || !scan_char (&s, ',')
                      || !scan_device (&s, devices, &c->base_device))
                    return NULL;
                }
              if (!scan_char (&s, ']'))
                return NULL;
              g_ptr_array_add (changes, g_steal_pointer (&c));
            }
          while (scan_char (&s, ','));
          if (!scan_char (&s, ']'))
            return NULL;
        }
      while (scan_char (&s, ','));
      if (!scan_char (&s, ']'))
        return NULL;
    }
  if (!scan_char (&s, '}'))
    return NULL;
  scan_space (&s);
  if (s.p != s.end)
    return NULL;
  return g_steal_pointer (&changes);
}

/* A fast reader for format 1 as older versions wrote it; NULL on anything
 * unexpected, and the general JSON reader takes over. */
static GPtrArray *
batch_read_format1_fast (const char *data,
                         gsize       len)
{
  Scan s = { data, data + len };
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);

  if (!scan_char (&s, '['))
    return NULL;
  if (scan_char (&s, ']'))
    goto done;
  do
    {
      g_autoptr(StpChange) c = stp_change_new ();

      if (!scan_char (&s, '{'))
        return NULL;
      do
        {
          g_autofree char *key = NULL;

          if (!scan_json_string (&s, &key) || !scan_char (&s, ':'))
            return NULL;
          if (g_str_equal (key, "h") || g_str_equal (key, "bh"))
            {
              guint64 v;

              if (!scan_json_uint (&s, &v))
                return NULL;
              if (key[0] == 'h')
                c->hlc = v;
              else
                c->base_hlc = v;
              continue;
            }
          if (g_str_equal (key, "v") && scan_null (&s))
            continue;
          {
            char **slot = g_str_equal (key, "t") ? &c->table
                          : g_str_equal (key, "r") ? &c->row_id
                          : g_str_equal (key, "f") ? &c->field
                          : g_str_equal (key, "v") ? &c->value
                          : g_str_equal (key, "d") ? &c->device
                          : g_str_equal (key, "bd") ? &c->base_device : NULL;

            if (slot == NULL || *slot != NULL || !scan_json_string (&s, slot))
              return NULL;
          }
        }
      while (scan_char (&s, ','));
      if (!scan_char (&s, '}'))
        return NULL;
      g_ptr_array_add (changes, g_steal_pointer (&c));
    }
  while (scan_char (&s, ','));
  if (!scan_char (&s, ']'))
    return NULL;

done:
  scan_space (&s);
  if (s.p != s.end)
    return NULL;
  return g_steal_pointer (&changes);
}

static void
set_unreadable (GError **error)
{
  g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                       _("A change batch from another device is not readable"));
}

/* Member @name of the change object @node: absent or null leaves *@out
 * NULL; FALSE when it is not a string. */
static gboolean
format1_string (JsonNode    *node,
                const char  *name,
                char       **out)
{
  JsonNode *member = json_object_get_member (json_node_get_object (node), name);

  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (member));
  return TRUE;
}

/* An HLC member: absent leaves 0; FALSE unless a JSON integer ≥ 0 (the
 * fast reader takes up to 2^64 − 1, json-glib only up to 2^63 − 1). */
static gboolean
format1_hlc (JsonNode    *node,
             const char  *name,
             guint64     *out)
{
  JsonNode *member = json_object_get_member (json_node_get_object (node), name);

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
      json_node_get_int (member) < 0)
    return FALSE;
  *out = (guint64) json_node_get_int (member);
  return TRUE;
}

static GPtrArray *
batch_read_format1 (const char  *data,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) changes = batch_read_format1_fast (data, len);
  JsonArray *array;

  if (changes != NULL)
    return g_steal_pointer (&changes);
  g_debug ("a batch is read by the general JSON reader");
  root = stp_json_parse (data, len, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      set_unreadable (error);
      return NULL;
    }
  array = json_node_get_array (root);
  changes = g_ptr_array_new_full (json_array_get_length (array), (GDestroyNotify) stp_change_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(StpChange) c = NULL;

      /* A change that is not an object, or a member of the wrong type,
       * makes the batch unreadable, as in format 2; a missing member
       * leaves the change malformed, and the store parks it. */
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          set_unreadable (error);
          return NULL;
        }
      c = stp_change_new ();
      if (!format1_string (node, "t", &c->table) || !format1_string (node, "r", &c->row_id) ||
          !format1_string (node, "f", &c->field) || !format1_string (node, "v", &c->value) ||
          !format1_string (node, "d", &c->device) || !format1_string (node, "bd", &c->base_device) ||
          !format1_hlc (node, "h", &c->hlc) || !format1_hlc (node, "bh", &c->base_hlc))
        {
          set_unreadable (error);
          return NULL;
        }
      g_ptr_array_add (changes, g_steal_pointer (&c));
    }
  return g_steal_pointer (&changes);
}

static GPtrArray *
batch_read_plain (const char  *data,
                  gsize        len,
                  GError     **error)
{
  Scan s = { data, data + len };
  gboolean newer = FALSE;
  GPtrArray *changes;

  scan_space (&s);
  if (s.p < s.end && *s.p == '[')
    return batch_read_format1 (data, len, error);
  changes = batch_read_format2 (data, len, &newer);
  if (changes != NULL)
    return changes;
  if (newer)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                         _("A change batch from another device was written by a newer version "
                           "of the program; update this one"));
  else
    set_unreadable (error);
  return NULL;
}

/* Reads a batch plaintext of any format; a malformed one is an error,
 * never a crash, and it may inflate to BATCH_MAX_PLAINTEXT bytes only. */
GPtrArray *
stp_sync_batch_decode (const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize inflated_len = 0;
  const char *text;

  if (len < BATCH_MAGIC_LEN || memcmp (data, BATCH_MAGIC, BATCH_MAGIC_LEN) != 0)
    return batch_read_plain ((const char *) data, len, error);
  inflated = stp_inflate (data + BATCH_MAGIC_LEN, len - BATCH_MAGIC_LEN,
                          BATCH_MAX_PLAINTEXT, &local_error);
  if (inflated == NULL)
    {
      g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                   _("A change batch from another device is not readable: %s"),
                   local_error->message);
      return NULL;
    }
  text = g_bytes_get_data (inflated, &inflated_len);
  return batch_read_plain (text != NULL ? text : "", inflated_len, error);
}
