/* What the benches share: see bench-util.h. */
#include "config.h"

#include "bench-util.h"

#include <time.h>

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

double
stp_bench_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

char *
stp_bench_load_average (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("?");
  fields = g_strsplit (text, " ", 4);
  if (g_strv_length (fields) < 3)
    return g_strdup ("?");
  return g_strdup_printf ("%s %s %s", fields[0], fields[1], fields[2]);
}

int
stp_bench_compare_doubles (gconstpointer a,
                           gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}
