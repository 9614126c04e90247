/* stupeni-report-pdf: the resident report of a generated demo center,
 * written to a PDF, so that the Windows build's PDF (made under Wine) and
 * the Linux build's can be read back with pdftotext on Linux and compared
 * (build-aux/windows/test-report-cross.sh).  The same seed gives the same
 * residents; the first one by surname is reported.
 *
 *   stupeni-report-pdf NEW-DATABASE OUT.pdf */
#define G_LOG_DOMAIN "report-pdf"

#include "config.h"

#include "stp-demo.h"
#include "stp-query.h"
#include "stp-report.h"

#include <stdlib.h>

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  const char *id;

  if (argc != 3)
    {
      g_printerr ("usage: stupeni-report-pdf NEW-DATABASE OUT.pdf\n");
      return EXIT_FAILURE;
    }
  store = stp_store_open (argv[1], &error);
  if (store == NULL || !stp_demo_generate (store, 20, 1, &error))
    goto fail;
  session = stp_session_new_system ();
  query.limit = 1;
  found = stp_store_search_residents (store, session, &query, &error);
  if (found == NULL)
    goto fail;
  if (found->len == 0)
    {
      g_printerr ("no resident in the demo center\n");
      return EXIT_FAILURE;
    }
  id = ((StpResidentSummary *) g_ptr_array_index (found, 0))->id;
  if (!stp_report_resident_to_pdf (store, session, id, argv[2], &error))
    goto fail;
  g_print ("%s\n", id);
  return EXIT_SUCCESS;

fail:
  g_printerr ("%s\n", error != NULL ? error->message : "failed");
  return EXIT_FAILURE;
}
