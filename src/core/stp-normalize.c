/* stp-normalize.c: search keys: folded text and a Russian phonetic key.
 *
 * Both are called from SQL (stp_norm(), stp_phonetic(), registered by the
 * store on every connection), so triggers keep the search tables current. */
#define G_LOG_DOMAIN "stp-normalize"

#include "config.h"

#include "stp-query.h"

#include <string.h>

/* Case-folded, «ё» → «е», everything that is not a letter or digit becomes a
 * space, spaces squeezed and trimmed.  NULL gives "". */
char *
stp_normalize_text (const char *text)
{
  g_autofree char *nfc = NULL;
  g_autofree char *folded = NULL;
  GString *out;
  gboolean pending_space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");

  nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  folded = g_utf8_casefold (nfc != NULL ? nfc : text, -1);
  out = g_string_sized_new (strlen (folded));

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x0451 /* ё */ || c == 0x0401 /* Ё */)
        c = 0x0435; /* е */

      if (g_unichar_ismark (c))
        continue;

      if (!g_unichar_isalnum (c))
        {
          pending_space = out->len > 0;
          continue;
        }

      if (pending_space)
        {
          g_string_append_c (out, ' ');
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/* Latin letters that look like Cyrillic ones (a keyboard-layout slip such
 * as «Иванoв» with a Latin «o»). */
static gunichar
latin_lookalike (gunichar c)
{
  switch (c)
    {
    case 'a': return 0x0430; /* а */
    case 'b': return 0x0432; /* в (as in В) */
    case 'c': return 0x0441; /* с */
    case 'e': return 0x0435; /* е */
    case 'h': return 0x043D; /* н */
    case 'k': return 0x043A; /* к */
    case 'm': return 0x043C; /* м */
    case 'o': return 0x043E; /* о */
    case 'p': return 0x0440; /* р */
    case 't': return 0x0442; /* т */
    case 'x': return 0x0445; /* х */
    case 'y': return 0x0443; /* у */
    default:  return c;
    }
}

static gboolean
ends_with (const GArray *w,
           const char   *suffix_utf8)
{
  glong n = 0;
  g_autofree gunichar *s = g_utf8_to_ucs4_fast (suffix_utf8, -1, &n);

  if ((glong) w->len < n + 2) /* keep at least two letters of the stem */
    return FALSE;
  for (glong i = 0; i < n; i++)
    if (g_array_index (w, gunichar, w->len - n + i) != s[i])
      return FALSE;
  return TRUE;
}

/* Replaces the ending @from by @to when the word ends with it. */
static gboolean
replace_ending (GArray     *w,
                const char *from,
                const char *to)
{
  glong n_from = g_utf8_strlen (from, -1);
  glong n_to = 0;
  g_autofree gunichar *t = NULL;

  if (!ends_with (w, from))
    return FALSE;
  g_array_set_size (w, w->len - n_from);
  t = g_utf8_to_ucs4_fast (to, -1, &n_to);
  g_array_append_vals (w, t, n_to);
  return TRUE;
}

static gunichar
fold_letter (gunichar c)
{
  switch (c)
    {
    /* Vowels: unstressed «о» sounds like «а»; е, э, и, ы, я (and й) are
     * written for one another after soft and hard consonants. */
    case 0x043E: /* о */
    case 0x0430: /* а */
      return 0x0430;
    case 0x0435: /* е */
    case 0x044D: /* э */
    case 0x0438: /* и */
    case 0x044B: /* ы */
    case 0x044F: /* я */
    case 0x0439: /* й */
      return 0x0438;
    case 0x044E: /* ю */
    case 0x0443: /* у */
      return 0x0443;
    default:
      return c;
    }
}

static gboolean
is_vowel (gunichar c)
{
  return c == 0x0430 || c == 0x0438 || c == 0x0443;
}

static gunichar
devoice (gunichar c)
{
  switch (c)
    {
    case 0x0431: return 0x043F; /* б → п */
    case 0x0432: return 0x0444; /* в → ф */
    case 0x0433: return 0x043A; /* г → к */
    case 0x0434: return 0x0442; /* д → т */
    case 0x0436: return 0x0448; /* ж → ш */
    case 0x0437: return 0x0441; /* з → с */
    default:     return c;
    }
}

static gboolean
is_voiceless (gunichar c)
{
  switch (c)
    {
    case 0x043F: case 0x0444: case 0x043A: case 0x0442: case 0x0448:
    case 0x0441: case 0x0445: case 0x0446: case 0x0447: case 0x0449:
      return TRUE;
    default:
      return FALSE;
    }
}

/* A phonetic key of a Russian surname: similar-sounding spellings
 * (Иванов / Ивонов, Петров / Пётров, Шевченко / Шевчэнко) give the same
 * key.  Only the first word is used; NULL or empty gives "". */
char *
stp_phonetic_key (const char *surname)
{
  g_autofree char *norm = stp_normalize_text (surname);
  g_autoptr(GArray) w = g_array_new (FALSE, FALSE, sizeof (gunichar));
  g_autoptr(GArray) k = g_array_new (FALSE, FALSE, sizeof (gunichar));
  GString *out;

  for (const char *p = norm; *p != '\0' && *p != ' '; p = g_utf8_next_char (p))
    {
      gunichar c = latin_lookalike (g_utf8_get_char (p));

      /* Soft and hard signs are not sounds of their own. */
      if (c == 0x044C || c == 0x044A)
        continue;
      g_array_append_val (w, c);
    }

  /* Feminine and adjectival endings to one form. */
  if (!replace_ending (w, "цкая", "цк") && !replace_ending (w, "цкий", "цк")
      && !replace_ending (w, "цкой", "цк") && !replace_ending (w, "ская", "ск")
      && !replace_ending (w, "ский", "ск") && !replace_ending (w, "ской", "ск")
      && !replace_ending (w, "ова", "ов") && !replace_ending (w, "ева", "ов")
      && !replace_ending (w, "ев", "ов") && !replace_ending (w, "ина", "ин")
      && !replace_ending (w, "ына", "ин") && !replace_ending (w, "ын", "ин")
      && !replace_ending (w, "ая", "ый") && !replace_ending (w, "яя", "ий"))
    {
      /* no common ending */
    }
  /* тс, дс → ц; сч, зч, жч → щ. */
  for (guint i = 0; i + 1 < w->len; i++)
    {
      gunichar a = g_array_index (w, gunichar, i);
      gunichar b = g_array_index (w, gunichar, i + 1);

      if ((a == 0x0442 || a == 0x0434) && b == 0x0441)
        {
          g_array_index (w, gunichar, i) = 0x0446;
          g_array_remove_index (w, i + 1);
        }
      else if ((a == 0x0441 || a == 0x0437 || a == 0x0436) && b == 0x0447)
        {
          g_array_index (w, gunichar, i) = 0x0449;
          g_array_remove_index (w, i + 1);
        }
    }

  for (guint i = 0; i < w->len; i++)
    {
      gunichar c = fold_letter (g_array_index (w, gunichar, i));
      g_array_append_val (k, c);
    }

  /* Devoice at the end and before a voiceless consonant. */
  for (guint i = 0; i < k->len; i++)
    {
      gunichar c = g_array_index (k, gunichar, i);

      if (is_vowel (c))
        continue;
      if (i + 1 == k->len
          || is_voiceless (g_array_index (k, gunichar, i + 1)))
        g_array_index (k, gunichar, i) = devoice (c);
    }

  out = g_string_new (NULL);
  for (guint i = 0; i < k->len; i++)
    {
      gunichar c = g_array_index (k, gunichar, i);

      /* Doubled letters sound as one. */
      if (i > 0 && g_array_index (k, gunichar, i - 1) == c)
        continue;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}
