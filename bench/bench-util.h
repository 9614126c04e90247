/* What the benches share (not installed, not a library of the program). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Drops the cached pages of @path and of its log (@path-wal), so that the
 * next reads come from the disk: a "cold" run without dropping the whole
 * machine's page cache.  Does nothing where posix_fadvise is missing. */
void stp_bench_drop_file_cache (const char *path);

G_END_DECLS
