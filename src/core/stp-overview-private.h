/* stp-overview-private.h: for tests of the overview's count only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called on the counting thread when the count runs on two threads, just
 * after this thread's read transaction took its snapshot and before the
 * side thread begins its own: a commit made here falls between the two,
 * and the count has to notice it (PRAGMA data_version) and count again.
 * NULL removes it.  Not thread-safe: set it while nothing counts. */
typedef void (*StpOverviewTestHook) (gpointer user_data);

void _stp_overview_set_test_hook (StpOverviewTestHook hook,
                                  gpointer            user_data);

G_END_DECLS
