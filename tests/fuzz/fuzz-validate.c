/* fuzz-validate: the core's checks of what a user types: phones, СНИЛС,
 * dates and names (normalized text).  Lines of the input are the values;
 * the program only ever passes valid UTF-8, so other input is skipped. */
#include "config.h"

#include "fuzz-common.h"

#include "stp-query.h"
#include "stp-validate.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = NULL;

  if (strlen (text) != size || !g_utf8_validate (text, -1, NULL))
    return 0;
  lines = g_strsplit (text, "\n", 8);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *phone = stp_normalize_phone (line);
      g_autofree char *snils = stp_snils_format (line);
      g_autofree char *name = stp_normalize_text (line);

      if (phone != NULL)
        {
          g_autofree char *again = stp_normalize_phone (phone);

          if (g_strcmp0 (again, phone) != 0)
            __builtin_trap ();
        }
      (void) stp_snils_is_valid (line);
      if (stp_date_is_valid (line))
        {
          g_autofree char *later = stp_date_add_months (line, (int) (size % 400) - 200);

          if (later != NULL && !stp_date_is_valid (later))
            __builtin_trap ();
          {
            g_autofree char *shifted = stp_date_add_days (line, (int) size * 997 - 500000);

            if (shifted != NULL && !stp_date_is_valid (shifted))
              __builtin_trap ();
          }
        }
    }
  return 0;
}
