#define G_LOG_DOMAIN "stp-demo-report"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "stp-demo.h"
#include "stp-demo-report.h"
#include "stp-query.h"
#include "stp-report-fonts.h"
#include "stp-report-resident.h"

/* The demo center's director (stp-demo.c, as the first-run window's demo
 * button logs in). */
#define DEMO_LOGIN "director"
#define DEMO_PASSWORD "stupeni-demo"

static int
fail (const char   *what,
      const GError *error)
{
  g_printerr ("%s: %s\n", what, error != NULL ? error->message : _("Unknown error"));
  return EXIT_FAILURE;
}

int
stp_demo_report_run (const char *database,
                     const char *pdf,
                     guint32     seed)
{
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  const char *id;

  g_return_val_if_fail (database != NULL && pdf != NULL, EXIT_FAILURE);

  dir = g_path_get_dirname (database);
  g_mkdir_with_parents (dir, 0700);
  store = stp_store_open (database, &error);
  if (store == NULL)
    return fail (_("The center database cannot be opened"), error);

  /* The same call and size as the first-run window's demo button. */
  if (stp_store_is_empty (store) &&
      !stp_demo_generate (store, STP_DEMO_RESIDENTS, seed, &error))
    return fail (_("The demo center cannot be made"), error);

  /* As the demo director, so that the footer names a person («…
   * пользователем Орлов Сергей Николаевич») and a database that is not the
   * demo center prints nothing without its password. */
  session = stp_store_login (store, DEMO_LOGIN, DEMO_PASSWORD, &error);
  if (session == NULL)
    return fail (_("The demo center's director cannot log in (is this the demo center?)"), error);
  query.limit = 1;
  found = stp_store_search_residents (store, session, &query, &error);
  if (found == NULL)
    return fail (_("The residents cannot be read"), error);
  if (found->len == 0)
    {
      g_printerr ("%s\n", _("The center has no residents: there is nothing to print."));
      return EXIT_FAILURE;
    }
  id = ((StpResidentSummary *) g_ptr_array_index (found, 0))->id;

  stp_report_fonts_init ();
  if (!stp_report_resident_to_pdf (store, session, id, pdf, &error))
    return fail (_("The report cannot be written"), error);

  g_print ("%s\n", pdf);
  return EXIT_SUCCESS;
}
