/* What the benches share: see bench-util.h. */
#include "config.h"

#include "bench-util.h"

#ifdef G_OS_UNIX
# include <fcntl.h>
# include <unistd.h>
#endif

void
stp_bench_drop_file_cache (const char *path)
{
#ifdef G_OS_UNIX
  const char *suffixes[] = { "", "-wal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      int fd = open (name, O_RDONLY);

      if (fd < 0)
        continue;
      (void) fdatasync (fd);
      if (posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
        g_printerr ("Could not drop the cache of %s\n", name);
      close (fd);
    }
#endif
}
