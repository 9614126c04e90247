/* What the benches share (not installed, not a library of the program). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Drops the cached pages of @path and of its log (@path-wal), so that the
 * next reads come from the disk: a "cold" run without dropping the whole
 * machine's page cache.  Does nothing where posix_fadvise is missing. */
void stp_bench_drop_file_cache (const char *path);

/* CPU time of the whole process so far (all threads), in ms. */
double stp_bench_cpu_ms (void);

/* The three load averages of /proc/loadavg, "1.00 0.50 0.25" ("?" where
 * there is none); free with g_free(). */
char *stp_bench_load_average (void);

/* For g_array_sort() of doubles, smallest first. */
int stp_bench_compare_doubles (gconstpointer a,
                               gconstpointer b);

G_END_DECLS
