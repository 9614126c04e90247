/* stp-demo-report.h: `stupeni --demo-report OUT.pdf`: a demo center's
 * first resident's report, written without opening a window (a sample
 * printout for trainers, and the installed program's check under Wine). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The size of the demo center the first-run window's demo button makes. */
#define STP_DEMO_RESIDENTS 300

/* Opens @database (made if missing); if it has no center yet, fills it
 * with the demo center (@seed, as the demo button does with a random
 * one), then writes the first resident's (by surname) report to @pdf.
 * Prints @pdf on success, a translated message on stderr on failure.
 * Returns the process exit status. */
int stp_demo_report_run (const char *database,
                         const char *pdf,
                         guint32     seed);

G_END_DECLS
