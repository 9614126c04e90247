/* fuzz-common.h: what every fuzz target shares. */
#pragma once

#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);

/* A GLib critical is a bug (the test suites make them fatal too), so it
 * must stop the fuzzer with a crash it can save. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}
