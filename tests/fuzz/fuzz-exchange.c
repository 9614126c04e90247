/* fuzz-exchange: a file brought on a USB stick for sync through a file
 * (stp_exchange_file_read).  The input is the whole file; it is written to
 * a scratch file of this process, since the reader takes a path.  Checking
 * and applying must agree: the apply pass may only see envelopes when the
 * check pass accepted the whole file, and then exactly as many. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz-common.h"

#include "stp-exchange-file.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct
{
  guint checked;
  guint applied;
} Counts;

static gboolean
on_check (const StpEnvelope  *envelope,
          const char         *envelope_json,
          gint64              seq,
          gpointer            user_data,
          GError            **error)
{
  ((Counts *) user_data)->checked++;
  return TRUE;
}

static gboolean
on_apply (const StpEnvelope  *envelope,
          const char         *envelope_json,
          gint64              seq,
          gpointer            user_data,
          GError            **error)
{
  ((Counts *) user_data)->applied++;
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static char *path = NULL;
  g_autoptr(StpExchangeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  Counts counts = { 0, 0 };

  if (path == NULL)
    path = g_strdup_printf ("%s/fuzz-exchange-%d%s", g_get_tmp_dir (), (int) getpid (),
                            STP_EXCHANGE_SUFFIX);
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    __builtin_trap ();

  info = stp_exchange_file_read (path, NULL, on_check, on_apply, &counts, &error);
  if (info == NULL)
    {
      /* Refused: with a reason, and nothing applied. */
      if (error == NULL || counts.applied != 0)
        __builtin_trap ();
    }
  else if (error != NULL || counts.applied != counts.checked || counts.applied != info->count)
    __builtin_trap ();
  return 0;
}
