#define G_LOG_DOMAIN "stp-protocol"

#include "config.h"

#include "stp-protocol.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

G_DEFINE_QUARK (stp-protocol-error-quark, stp_protocol_error)

/**
 * stp_protocol_init:
 *
 * Initializes libsodium.  Safe to call more than once and from any thread.
 */
gboolean
stp_protocol_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_CRYPTO,
                           _("The cryptography library could not be initialized"));
      return FALSE;
    }
  return TRUE;
}

char *
stp_hlc_to_string (guint64 hlc)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, hlc);
}

gboolean
stp_hlc_parse (const char  *text,
               guint64     *hlc,
               GError     **error)
{
  guint64 value = 0;
  gsize len;

  g_return_val_if_fail (hlc != NULL, FALSE);

  len = text != NULL ? strlen (text) : 0;
  /* Plain decimal only: no sign, no spaces, no leading zeros. */
  if (len == 0 || len > 20 || (len > 1 && text[0] == '0'))
    goto invalid;

  for (gsize i = 0; i < len; i++)
    {
      guint digit;

      if (text[i] < '0' || text[i] > '9')
        goto invalid;
      digit = (guint) (text[i] - '0');
      if (value > (G_MAXUINT64 - digit) / 10)
        goto invalid;
      value = value * 10 + digit;
    }

  *hlc = value;
  return TRUE;

invalid:
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                       _("The clock value is not a decimal 64-bit number"));
  return FALSE;
}

char *
stp_base64_encode (const guint8 *data,
                   gsize         len)
{
  return g_base64_encode (data, len);
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

static guint
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return (guint) (c - 'A');
  if (c >= 'a' && c <= 'z')
    return (guint) (c - 'a') + 26;
  if (c >= '0' && c <= '9')
    return (guint) (c - '0') + 52;
  return c == '+' ? 62 : 63;
}

GBytes *
stp_base64_decode (const char  *text,
                   gsize        max_len,
                   GError     **error)
{
  g_autofree guchar *data = NULL;
  gsize len, out_len = 0, padding = 0;

  if (text == NULL)
    goto invalid;

  len = strlen (text);
  if (len % 4 != 0)
    goto invalid;
  if (len / 4 * 3 > max_len + 2)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                           _("An encoded value is too large"));
      return NULL;
    }

  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '=' && i >= len - 2)
        {
          padding++;
          continue;
        }
      if (padding > 0 || !is_base64_char (text[i]))
        goto invalid;
    }

  if (len == 0)
    return g_bytes_new (NULL, 0);

  /* g_base64_decode() is lenient; only the canonical encoding is accepted.
   * With the alphabet and the padding checked above, the one way left to
   * differ from it is a set bit among those the last symbol leaves unused
   * (2 bits with one '=', 4 with two): checked here instead of encoding
   * the whole value again, which cost as much as decoding it. */
  if (padding > 0 && (base64_value (text[len - 1 - padding]) & (padding == 1 ? 0x3 : 0xf)) != 0)
    goto invalid;
  data = g_base64_decode (text, &out_len);

  if (out_len > max_len)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                           _("An encoded value is too large"));
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&data), out_len);

invalid:
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                       _("A value is not valid base64"));
  return NULL;
}

static void
append_string (GString    *out,
               const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
append_node (GString  *out,
             JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_DOUBLE:
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            /* Keep a double a double when read back: 1.0 stays "1.0". */
            g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node));
            g_string_append (out, buf);
            if (strpbrk (buf, ".eE") == NULL)
              g_string_append (out, ".0");
          }
          break;
        case G_TYPE_STRING:
          append_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
        }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        g_autoptr(GPtrArray) names = g_ptr_array_new ();

        for (GList *l = members; l != NULL; l = l->next)
          g_ptr_array_add (names, l->data);
        g_ptr_array_sort (names, compare_strings);

        g_string_append_c (out, '{');
        for (guint i = 0; i < names->len; i++)
          {
            const char *name = g_ptr_array_index (names, i);

            if (i > 0)
              g_string_append_c (out, ',');
            append_string (out, name);
            g_string_append_c (out, ':');
            append_node (out, json_object_get_member (object, name));
          }
        g_string_append_c (out, '}');
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

char *
stp_json_canonicalize (JsonNode *node)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);

  out = g_string_new (NULL);
  append_node (out, node);
  return g_string_free (out, FALSE);
}

const StpJsonLimits stp_json_default_limits = {
  .max_bytes = 64 * 1024 * 1024,
  .max_depth = STP_JSON_MAX_DEPTH,
  .max_string = 64 * 1024 * 1024,
  .max_elements = 1000000,
  .max_values = 1000000,
};

static gboolean
json_too_large (GError     **error,
                const char  *message)
{
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE, message);
  return FALSE;
}

static gboolean
json_invalid (GError **error)
{
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                       _("The data is not valid JSON"));
  return FALSE;
}

static int
hex4 (const char *p)
{
  int value = 0;

  for (int k = 0; k < 4; k++)
    {
      int digit = g_ascii_xdigit_value (p[k]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* Length of the escape at @p (which is a backslash), or 0 when it is not
 * one JSON allows: \" \\ \/ \b \f \n \r \t, or \uXXXX that is not
 * U+0000 and not half of a surrogate pair without the other half. */
static gsize
json_escape_length (const char *p,
                    gsize       left)
{
  int unit;

  if (left < 2)
    return 0;
  if (strchr ("\"\\/bfnrt", p[1]) != NULL && p[1] != '\0')
    return 2;
  if (p[1] != 'u' || left < 6 || (unit = hex4 (p + 2)) <= 0)
    return 0;
  if (unit >= 0xdc00 && unit <= 0xdfff)
    return 0;
  if (unit >= 0xd800 && unit <= 0xdbff)
    {
      int low;

      if (left < 12 || p[6] != '\\' || p[7] != 'u' || (low = hex4 (p + 8)) < 0xdc00 || low > 0xdfff)
        return 0;
      return 12;
    }
  return 6;
}

/* One pass over the bytes, with no recursion and no allocation: the depth
 * of open brackets, the elements of each open container (commas at its
 * level), the values in all (commas and containers, plus one), and the
 * length of each token.  It does not
 * check the syntax (the parser does), so it only needs to be right about
 * what is inside a string and what is not. */
gboolean
stp_json_check_limits (const char          *data,
                       gsize                len,
                       const StpJsonLimits *limits,
                       GError             **error)
{
  guint elements[STP_JSON_MAX_DEPTH + 1] = { 0 };
  guint max_depth;
  guint depth = 0;
  guint values = 1;
  gsize token = 0;          /* bytes of the current string or bare token */
  gboolean in_string = FALSE;

  if (limits == NULL)
    limits = &stp_json_default_limits;
  max_depth = MIN (limits->max_depth, STP_JSON_MAX_DEPTH);

  if (len > limits->max_bytes)
    return json_too_large (error, _("The data is larger than allowed"));
  if (data == NULL || len == 0 || !g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The data is not valid JSON"));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            {
              gsize skip;

              /* Only the escapes JSON has: json-glib would also take
               * octal ones, which make bytes that are not UTF-8. */
              if ((skip = json_escape_length (data + i, len - i)) == 0)
                return json_invalid (error);
              i += skip - 1;
              token += skip - 1;
            }
          else if ((guchar) c < 0x20)
            return json_invalid (error);    /* raw control characters */
          else if (c == '"')
            {
              in_string = FALSE;
              token = 0;
              continue;
            }
          if (++token > limits->max_string)
            return json_too_large (error, _("A text value in the data is longer than allowed"));
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          token = 0;
          break;
        case '[':
        case '{':
          if (depth >= max_depth)
            return json_too_large (error, _("The data is nested deeper than allowed"));
          if (++values > limits->max_values)
            return json_too_large (error, _("The data has more values than allowed"));
          depth++;
          elements[depth] = 0;
          token = 0;
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          token = 0;
          break;
        case ',':
          if (++elements[depth] >= limits->max_elements)
            return json_too_large (error, _("A list or object in the data has more entries than allowed"));
          if (++values > limits->max_values)
            return json_too_large (error, _("The data has more values than allowed"));
          token = 0;
          break;
        case ':':
        case ' ':
        case '\t':
        case '\n':
        case '\r':
          token = 0;
          break;
        default:
          /* Numbers, true/false/null, or garbage the parser will refuse. */
          if (++token > limits->max_string)
            return json_too_large (error, _("A value in the data is longer than allowed"));
        }
    }
  return TRUE;
}

JsonNode *
stp_json_parse_bounded (const char          *data,
                        gsize                len,
                        const StpJsonLimits *limits,
                        GError             **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!stp_json_check_limits (data, len, limits, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The data is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The data is not valid JSON"));
      return NULL;
    }

  return json_node_ref (root);
}

JsonNode *
stp_json_parse (const char  *data,
                gsize        len,
                GError     **error)
{
  return stp_json_parse_bounded (data, len, &stp_json_default_limits, error);
}

/* Ids (center, device, msg_id, key_id) are short printable tokens: UUIDs in
 * practice, but any of [A-Za-z0-9._-] is accepted. */
gboolean
stp_is_valid_id (const char *id)
{
  gsize len = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++, len++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return FALSE;
    }
  return len > 0 && len <= 64;
}

/* Without I and O, which read as 1 and 0 on paper. */
#define DEVICE_CODE_LETTERS "ABCDEFGHJKLMNPQRSTUVWXYZ"
#define DEVICE_CODE_SECOND  "0123456789" DEVICE_CODE_LETTERS

G_STATIC_ASSERT (99 + (sizeof DEVICE_CODE_LETTERS - 1) * (sizeof DEVICE_CODE_SECOND - 1)
                 == STP_DEVICE_NUMBER_MAX);

char *
stp_device_code_for_number (gint64 number)
{
  gint64 rest;

  if (number < 1 || number > STP_DEVICE_NUMBER_MAX)
    return NULL;
  if (number <= 99)
    return g_strdup_printf ("%02d", (int) number);
  /* Codes that start with a letter never equal a two-digit one. */
  rest = number - 100;
  return g_strdup_printf ("%c%c",
                          DEVICE_CODE_LETTERS[rest / (sizeof DEVICE_CODE_SECOND - 1)],
                          DEVICE_CODE_SECOND[rest % (sizeof DEVICE_CODE_SECOND - 1)]);
}

gboolean
stp_json_check_members (JsonObject          *object,
                        const char * const  *allowed,
                        GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                       _("Unknown field “%s”"), (const char *) l->data);
          return FALSE;
        }
    }
  return TRUE;
}

const char *
stp_json_get_string (JsonObject  *object,
                     const char  *name,
                     gsize        max_len,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is missing"), name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” must be a string"), name);
      return NULL;
    }
  value = json_node_get_string (node);
  if (strlen (value) > max_len)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                   _("The field “%s” is too long"), name);
      return NULL;
    }
  return value;
}

gboolean
stp_json_get_int (JsonObject  *object,
                  const char  *name,
                  gint64       min,
                  gint64       max,
                  gint64      *value,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 v;

  if (node == NULL)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is missing"), name);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” must be an integer"), name);
      return FALSE;
    }
  v = json_node_get_int (node);
  if (v < min || v > max)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                   _("The field “%s” is out of range"), name);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

gboolean
stp_json_get_fixed_bytes (JsonObject  *object,
                          const char  *name,
                          guint8      *out,
                          gsize        len,
                          GError     **error)
{
  const char *text;
  g_autoptr(GBytes) bytes = NULL;

  if (!(text = stp_json_get_string (object, name, (len + 2) / 3 * 4, error)))
    return FALSE;
  if (!(bytes = stp_base64_decode (text, len, error)))
    return FALSE;
  if (g_bytes_get_size (bytes) != len)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” has the wrong length"), name);
      return FALSE;
    }
  memcpy (out, g_bytes_get_data (bytes, NULL), len);
  return TRUE;
}

gboolean
stp_json_get_bool (JsonObject  *object,
                   const char  *name,
                   gboolean    *value,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is missing"), name);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” must be true or false"), name);
      return FALSE;
    }
  *value = json_node_get_boolean (node);
  return TRUE;
}

JsonArray *
stp_json_get_array (JsonObject  *object,
                    const char  *name,
                    guint        max_len,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is missing"), name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” must be an array"), name);
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > max_len)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                   _("The field “%s” has too many elements"), name);
      return NULL;
    }
  return array;
}

JsonObject *
stp_json_get_object (JsonObject  *object,
                     const char  *name,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is missing"), name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” must be an object"), name);
      return NULL;
    }
  return json_node_get_object (node);
}

JsonObject *
stp_json_node_object (JsonNode    *node,
                      const char  *what,
                      GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("“%s” is not a JSON object"), what);
      return NULL;
    }
  return json_node_get_object (node);
}

/* Deflate and inflate of whole buffers (the sync layer's compressed batch
 * plaintext).  GIO's zlib converters are used directly on memory, so no
 * dependency beyond GLib's own. */

GBytes *
stp_deflate (const guint8 *data,
             gsize         len,
             int           level)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW,
                                                                 CLAMP (level, 1, 9));
  gsize cap = len / 2 + 1024;
  guint8 *out = g_malloc (cap);
  gsize in_pos = 0, out_pos = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gsize read = 0, written = 0;
      GConverterResult res;

      if (cap - out_pos < 64)
        {
          cap *= 2;
          out = g_realloc (out, cap);
        }
      res = g_converter_convert (G_CONVERTER (compressor), data + in_pos, len - in_pos,
                                 out + out_pos, cap - out_pos, G_CONVERTER_INPUT_AT_END,
                                 &read, &written, &error);
      if (res == G_CONVERTER_ERROR)
        {
          /* Only "no space" can happen with memory buffers and a valid
           * level; anything else is a bug or out of memory. */
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
            g_error ("deflate failed: %s", error->message);
          cap *= 2;
          out = g_realloc (out, cap);
          continue;
        }
      in_pos += read;
      out_pos += written;
      if (res == G_CONVERTER_FINISHED)
        break;
    }
  return g_bytes_new_take (g_realloc (out, MAX (out_pos, 1)), out_pos);
}

GBytes *
stp_inflate (const guint8  *data,
             gsize          len,
             gsize          max_len,
             GError       **error)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  /* One byte more than allowed shows that the output is too long. */
  gsize limit = max_len + 1;
  gsize cap = MIN (limit, MAX (len * 4, (gsize) 64 * 1024));
  g_autofree guint8 *out = g_malloc (cap);
  gsize in_pos = 0, out_pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gsize read = 0, written = 0;
      GConverterResult res;

      if (out_pos == cap)
        {
          if (cap == limit)
            {
              g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                                   _("The compressed data expands beyond the allowed size"));
              return NULL;
            }
          cap = cap > limit / 2 ? limit : cap * 2;
          out = g_realloc (out, cap);
        }
      /* Never called with no room for output: the converter would take
       * that for a lack of input. */
      res = g_converter_convert (G_CONVERTER (decompressor), data + in_pos, len - in_pos,
                                 out + out_pos, cap - out_pos, G_CONVERTER_INPUT_AT_END,
                                 &read, &written, &local_error);
      if (res == G_CONVERTER_ERROR)
        {
          g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                               _("The compressed data is damaged or incomplete"));
          return NULL;
        }
      in_pos += read;
      out_pos += written;
      if (out_pos > max_len)
        {
          g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                               _("The compressed data expands beyond the allowed size"));
          return NULL;
        }
      if (res == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0 && out_pos < cap)
        {
          /* No progress with room to spare: the input ended early. */
          g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                               _("The compressed data is damaged or incomplete"));
          return NULL;
        }
    }
  if (in_pos != len)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The compressed data is damaged or incomplete"));
      return NULL;
    }
  return g_bytes_new_take (g_realloc (g_steal_pointer (&out), MAX (out_pos, 1)), out_pos);
}
