/* stp-exchange-file.c: files of sealed change batches (stp-exchange-file.h). */
#define G_LOG_DOMAIN "stp-protocol"

#include "config.h"

#include "stp-exchange-file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#define HASH_LEN 32
/* An envelope's ciphertext is at most 6 MiB, 8 MiB in base64. */
#define MAX_LINE_BYTES (9 * 1024 * 1024)

/* --- Writing -------------------------------------------------------------- */

struct _StpExchangeWriter
{
  FILE                     *file;
  char                     *path;
  char                     *tmp;
  crypto_generichash_state  hash;
  guint                     count;
  gboolean                  finished;
};

static gboolean
writer_put (StpExchangeWriter  *w,
            const char         *text,
            gsize               len,
            gboolean            hashed,
            GError            **error)
{
  if (hashed)
    crypto_generichash_update (&w->hash, (const guint8 *) text, len);
  if (len == 0 || fwrite (text, 1, len, w->file) == len)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
               _("Cannot write the exchange file %s: %s"), w->path, g_strerror (errno));
  return FALSE;
}

StpExchangeWriter *
stp_exchange_writer_new (const char  *path,
                         const char  *center,
                         const char  *from,
                         GError     **error)
{
  g_autoptr(StpExchangeWriter) w = g_new0 (StpExchangeWriter, 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *header = NULL;
  g_autofree char *line = NULL;

  g_return_val_if_fail (path != NULL && center != NULL && from != NULL, NULL);

  w->path = g_strdup (path);
  w->tmp = g_strconcat (path, ".tmp", NULL);
  if (!(w->file = g_fopen (w->tmp, "wb")))
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Cannot write the exchange file %s: %s"), path, g_strerror (errno));
      return NULL;
    }
  crypto_generichash_init (&w->hash, NULL, 0, HASH_LEN);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "center");
  json_builder_add_string_value (builder, center);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, g_get_real_time () / 1000);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, STP_EXCHANGE_FORMAT);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, from);
  json_builder_set_member_name (builder, "stupeni");
  json_builder_add_string_value (builder, "exchange");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  header = stp_json_canonicalize (node);
  line = g_strconcat (header, "\n", NULL);
  if (!writer_put (w, line, strlen (line), TRUE, error))
    return NULL;
  return g_steal_pointer (&w);
}

gboolean
stp_exchange_writer_add_json (StpExchangeWriter  *w,
                              const char         *envelope_json,
                              gint64              seq,
                              GError            **error)
{
  g_autofree char *line = NULL;

  g_return_val_if_fail (w != NULL && !w->finished && envelope_json != NULL, FALSE);

  line = g_strdup_printf ("{\"envelope\":%s,\"seq\":%" G_GINT64_FORMAT "}\n",
                          envelope_json, MAX (seq, 0));
  if (!writer_put (w, line, strlen (line), TRUE, error))
    return FALSE;
  w->count++;
  return TRUE;
}

gboolean
stp_exchange_writer_add (StpExchangeWriter  *w,
                         const StpEnvelope  *envelope,
                         gint64              seq,
                         GError            **error)
{
  g_autofree char *json = stp_envelope_to_json (envelope);

  return stp_exchange_writer_add_json (w, json, seq, error);
}

guint
stp_exchange_writer_get_count (StpExchangeWriter *w)
{
  return w->count;
}

gboolean
stp_exchange_writer_finish (StpExchangeWriter  *w,
                            GError            **error)
{
  guint8 hash[HASH_LEN];
  g_autofree char *hex = NULL;
  g_autofree char *trailer = NULL;

  g_return_val_if_fail (w != NULL && !w->finished, FALSE);

  crypto_generichash_final (&w->hash, hash, HASH_LEN);
  hex = g_malloc (HASH_LEN * 2 + 1);
  sodium_bin2hex (hex, HASH_LEN * 2 + 1, hash, HASH_LEN);
  trailer = g_strdup_printf ("{\"blake2b\":\"%s\",\"count\":%u,\"end\":true}\n", hex, w->count);
  if (!writer_put (w, trailer, strlen (trailer), FALSE, error))
    return FALSE;
  if (fflush (w->file) != 0 || g_fsync (fileno (w->file)) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Cannot write the exchange file %s: %s"), w->path, g_strerror (errno));
      return FALSE;
    }
  fclose (w->file);
  w->file = NULL;
  if (g_rename (w->tmp, w->path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Cannot write the exchange file %s: %s"), w->path, g_strerror (errno));
      return FALSE;
    }
  w->finished = TRUE;
  return TRUE;
}

void
stp_exchange_writer_free (StpExchangeWriter *w)
{
  if (w == NULL)
    return;
  if (w->file != NULL)
    fclose (w->file);
  if (!w->finished)
    g_remove (w->tmp);
  g_free (w->path);
  g_free (w->tmp);
  g_free (w);
}

/* --- Reading -------------------------------------------------------------- */

void
stp_exchange_info_free (StpExchangeInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->center);
  g_free (info->from);
  g_free (info);
}

static void
set_damaged (GError **error)
{
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                       _("The exchange file is damaged or incomplete (cut short). "
                         "Nothing was applied; write the file again."));
}

/* The next line without its "\n" into @line; FALSE at the end of the file,
 * or (with @error set) for a line that is too long or not ended. */
static gboolean
read_line (FILE     *file,
           GString  *line,
           GError  **error)
{
  int c;

  g_string_truncate (line, 0);
  while ((c = getc (file)) != EOF)
    {
      if (c == '\n')
        return TRUE;
      if (line->len >= MAX_LINE_BYTES)
        {
          set_damaged (error);
          return FALSE;
        }
      g_string_append_c (line, (char) c);
    }
  if (line->len > 0)
    set_damaged (error);    /* the last line lacks its end: cut short */
  return FALSE;
}

/* A member of a line from outside, of the wrong type or missing: the
 * fallback (json-glib's _with_default getters assert the type). */
static const char *
member_string (JsonObject *object,
               const char *name,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

static gboolean
read_header (GString          *line,
             StpExchangeInfo  *info,
             GError          **error)
{
  g_autoptr(JsonNode) node = stp_json_parse (line->str, line->len, NULL);
  JsonObject *object;
  gint64 format;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      g_strcmp0 (member_string (json_node_get_object (node),
                                                             "stupeni", ""), "exchange") != 0)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The file is not an exchange file of Stupeni."));
      return FALSE;
    }
  object = json_node_get_object (node);
  format = member_int (object, "format", 0);
  if (format > STP_EXCHANGE_FORMAT)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                           _("The exchange file was written by a newer version of the program. "
                             "Update the program, then read the file again."));
      return FALSE;
    }
  info->center = g_strdup (member_string (object, "center", NULL));
  info->from = g_strdup (member_string (object, "from", ""));
  info->created = member_int (object, "created", 0);
  if (format < 1 || info->center == NULL || *info->center == '\0')
    {
      set_damaged (error);
      return FALSE;
    }
  return TRUE;
}

/* One pass over the file; @apply_pass says which callback runs. */
static gboolean
read_pass (const char       *path,
           const char       *center,
           StpExchangeFunc   func,
           gpointer          user_data,
           StpExchangeInfo  *info,
           GError          **error)
{
  g_autoptr(GString) line = g_string_sized_new (64 * 1024);
  crypto_generichash_state hash;
  gboolean ok = FALSE;
  gboolean ended = FALSE;
  guint count = 0;
  gint64 previous_seq = 0;
  FILE *file = g_fopen (path, "rb");

  if (file == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Cannot open the exchange file %s: %s"), path, g_strerror (errno));
      return FALSE;
    }
  crypto_generichash_init (&hash, NULL, 0, HASH_LEN);
  if (!read_line (file, line, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                             _("The file is not an exchange file of Stupeni."));
      goto out;
    }
  if (info->center == NULL && !read_header (line, info, error))
    goto out;
  if (center != NULL && g_strcmp0 (center, info->center) != 0)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The exchange file belongs to another center. Nothing was applied."));
      goto out;
    }
  crypto_generichash_update (&hash, (const guint8 *) line->str, line->len);
  crypto_generichash_update (&hash, (const guint8 *) "\n", 1);
  info->contiguous = TRUE;

  for (;;)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(StpEnvelope) envelope = NULL;
      g_autofree char *json = NULL;
      JsonObject *object;
      gint64 seq;

      if (!read_line (file, line, error))
        {
          if (error == NULL || *error == NULL)
            set_damaged (error);     /* no trailer */
          goto out;
        }
      node = stp_json_parse (line->str, line->len, NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          set_damaged (error);
          goto out;
        }
      object = json_node_get_object (node);
      if (json_object_has_member (object, "end"))
        {
          guint8 digest[HASH_LEN];
          char hex[HASH_LEN * 2 + 1];

          crypto_generichash_final (&hash, digest, HASH_LEN);
          sodium_bin2hex (hex, sizeof hex, digest, HASH_LEN);
          if (g_strcmp0 (member_string (object, "blake2b", ""), hex) != 0 ||
              member_int (object, "count", -1) != count ||
              getc (file) != EOF)
            {
              set_damaged (error);
              goto out;
            }
          ended = TRUE;
          break;
        }
      crypto_generichash_update (&hash, (const guint8 *) line->str, line->len);
      crypto_generichash_update (&hash, (const guint8 *) "\n", 1);
      seq = member_int (object, "seq", -1);
      envelope = json_object_has_member (object, "envelope")
                 ? stp_envelope_from_json_node (json_object_get_member (object, "envelope"), NULL)
                 : NULL;
      if (envelope == NULL || seq < 0 || g_strcmp0 (envelope->center, info->center) != 0)
        {
          set_damaged (error);
          goto out;
        }
      if (count == 0)
        info->first_seq = seq;
      else if (seq == 0 || seq != previous_seq + 1)
        info->contiguous = FALSE;
      info->last_seq = MAX (info->last_seq, seq);
      previous_seq = seq;
      count++;
      json = stp_envelope_to_json (envelope);
      if (func != NULL && !func (envelope, json, seq, user_data, error))
        goto out;
    }
  info->count = count;
  if (info->first_seq == 0)
    info->contiguous = FALSE;
  ok = ended;

out:
  fclose (file);
  return ok;
}

StpExchangeInfo *
stp_exchange_file_read (const char       *path,
                        const char       *center,
                        StpExchangeFunc   check,
                        StpExchangeFunc   apply,
                        gpointer          user_data,
                        GError          **error)
{
  g_autoptr(StpExchangeInfo) info = g_new0 (StpExchangeInfo, 1);

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_pass (path, center, check, user_data, info, error))
    return NULL;
  /* The file may have changed between the passes (a stick pulled out):
   * the second pass checks the hash again, but a callback may already
   * have run; apply functions are idempotent. */
  if (apply != NULL)
    {
      g_autoptr(StpExchangeInfo) again = g_new0 (StpExchangeInfo, 1);

      again->center = g_strdup (info->center);
      if (!read_pass (path, center, apply, user_data, again, error))
        return NULL;
    }
  return g_steal_pointer (&info);
}
