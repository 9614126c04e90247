/* stp-store-functions.c: the SQL functions every store connection has
 * (stp_norm, stp_phonetic, stp_full_key, stp_search_words,
 * stp_name_prefixes), used by the schema's triggers and indexes and by
 * the queries of src/core. */
#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store-private.h"
#include "stp-query.h"

#include <string.h>

/* stp_norm(text) and stp_phonetic(text): @text through the C function
 * the function was registered with; NULL stays NULL. */
static void
sql_text_func (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  char *(*func) (const char *) = sqlite3_user_data (context);
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  char *result;

  if (text == NULL)
    {
      sqlite3_result_null (context);
      return;
    }
  result = func (text);
  if (result == NULL)
    sqlite3_result_text (context, "", 0, SQLITE_STATIC);
  else
    sqlite3_result_text (context, result, -1, g_free);
}

/* stp_name_prefixes(full_key): a JSON array of the distinct first one, two
 * and three letters of every space-separated word, for json_each() in the
 * triggers of schema/003-prefixes.sql. */
static void
sql_name_prefixes (sqlite3_context  *context,
                   int               argc,
                   sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) words = NULL;
  GString *json = g_string_new ("[");

  words = g_strsplit (text != NULL ? text : "", " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (!g_utf8_validate (words[i], -1, NULL))
        continue;
      for (glong n = 1; n <= 3 && n <= g_utf8_strlen (words[i], -1); n++)
        {
          char *prefix = g_utf8_substring (words[i], 0, n);

          if (!g_hash_table_add (seen, prefix))
            continue;
          if (json->len > 1)
            g_string_append_c (json, ',');
          g_string_append_c (json, '"');
          for (const char *c = prefix; *c != '\0'; c++)
            if (*c == '"' || *c == '\\')
              g_string_append_printf (json, "\\%c", *c);
            else if ((guchar) *c < 0x20)
              g_string_append_printf (json, "\\u%04x", (guchar) *c);
            else
              g_string_append_c (json, *c);
          g_string_append_c (json, '"');
        }
    }
  g_string_append_c (json, ']');
  sqlite3_result_text (context, g_string_free (json, FALSE), -1, g_free);
}

/* The text of @n values joined by spaces, as SQL's coalesce (v, '') || ' '
 * || … would make it, then normalized. */
static char *
joined_normalized (sqlite3_value **argv,
                   int             n)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    {
      const char *text = (const char *) sqlite3_value_text (argv[i]);

      if (i > 0)
        g_string_append_c (joined, ' ');
      if (text != NULL)
        g_string_append (joined, text);
    }
  return stp_normalize_text (joined->str);
}

/* stp_full_key(surname, name, patronymic): the normalized full name that
 * orders the list and keys duplicates and prefixes. */
static void
sql_full_key (sqlite3_context  *context,
              int               argc,
              sqlite3_value   **argv)
{
  sqlite3_result_text (context, joined_normalized (argv, 3), -1, g_free);
}

/* Normalized with the spaces taken out: "12-34/5" -> "12345". */
static char *
squeezed (sqlite3_value *value)
{
  g_autofree char *norm = stp_normalize_text ((const char *) sqlite3_value_text (value));
  GString *out = g_string_sized_new (strlen (norm));

  for (const char *p = norm; *p != '\0'; p++)
    if (*p != ' ')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* stp_search_words(surname, name, patronymic, file_number, phone): every
 * searchable word of a resident summary, each after a space so that
 * LIKE '% word%' finds word starts: the name parts and the file number,
 * the file number without separators, the phone digits, and the phone
 * without its leading 7 or 8.  The insert and the update triggers of the
 * summary (schema/005-summary-insert.sql) share this one definition. */
static void
sql_search_words (sqlite3_context  *context,
                  int               argc,
                  sqlite3_value   **argv)
{
  g_autofree char *names = joined_normalized (argv, 4);
  g_autofree char *file = squeezed (argv[3]);
  g_autofree char *phone = squeezed (argv[4]);
  GString *words = g_string_new (" ");

  g_string_append (words, names);
  g_string_append_c (words, ' ');
  g_string_append (words, file);
  g_string_append_c (words, ' ');
  g_string_append (words, phone);
  if (g_utf8_strlen (phone, -1) == 11 && (phone[0] == '7' || phone[0] == '8'))
    {
      g_string_append_c (words, ' ');
      g_string_append (words, phone + 1);
    }
  sqlite3_result_text (context, g_string_free (words, FALSE), -1, g_free);
}

void
stp_store_register_functions (sqlite3 *db)
{
  static const struct
  {
    const char *name;
    int         n_args;
    void      (*func) (sqlite3_context *, int, sqlite3_value **);
    char     *(*text_func) (const char *);
  } functions[] = {
    { "stp_full_key", 3, sql_full_key, NULL },
    { "stp_search_words", 5, sql_search_words, NULL },
    { "stp_name_prefixes", 1, sql_name_prefixes, NULL },
    { "stp_norm", 1, sql_text_func, stp_normalize_text },
    { "stp_phonetic", 1, sql_text_func, stp_phonetic_key },
  };

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    sqlite3_create_function_v2 (db, functions[i].name, functions[i].n_args,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                (gpointer) functions[i].text_func, functions[i].func,
                                NULL, NULL, NULL);
}
