/* stp-frame-memory.c: the memory a drawn frame uses, mapped before it.
 *
 * With the cairo renderer GDK paints every frame into a new image as
 * large as the frame's damage (a whole window: 1100×720×4 bytes = 3 MB),
 * allocated with calloc and freed at the end of the frame.  glibc gives
 * a block that large to the kernel on free (mmap) and maps a fresh one
 * for the next frame; on this project's virtual machines each 4 KiB page
 * touched for the first time costs ~15 µs (a page fault through the
 * hypervisor): 10–12 ms of the main thread for a window-sized frame
 * (perf: page faults under pixman_fill), and as much again for the heap
 * that a growing list takes.  So:
 *   - blocks that large stay in the heap (no mmap, trimming only past
 *     64 MB free at its top), and
 *   - a thread keeps 8 MB of free heap touched: when it sees the heap
 *     grow (the program break moved), the main thread allocates a block
 *     (no page touched: microseconds), the thread writes one byte in each
 *     of its pages and frees it, and the main thread's next allocations
 *     (a frame's image among them) find pages already mapped.
 * Only glibc; elsewhere (Windows) nothing. */
#include "config.h"

#include "stp-frame-memory.h"

#ifdef __GLIBC__
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

/* Two window-sized frames (1280×1024).  Counted in RSS once touched. */
#define WARM_BYTES (8 * 1024 * 1024)
/* After a trim (a big list freed: a search is being shown), the search's
 * thread and frame go first. */
#define AFTER_TRIM_US (250 * 1000)
#define PAGE_BYTES 4096
/* Polled every 20 ms after the heap grew, backing off to once a second
 * while it does not. */
#define POLL_MIN_US (20 * 1000)
#define POLL_MAX_US (1000 * 1000)

static GMutex lock;
static GCond  given;
static void  *block;
static gboolean block_given;
static gint     trimmed;

/* On the main thread, so that the block is from its heap (glibc's main
 * arena: other threads allocate from arenas of their own). */
static gboolean
give_block (gpointer data)
{
  g_mutex_lock (&lock);
  block = malloc (WARM_BYTES);
  block_given = TRUE;
  g_cond_signal (&given);
  g_mutex_unlock (&lock);

  return G_SOURCE_REMOVE;
}

static gpointer
warm_thread (gpointer data)
{
  char *warmed_end = NULL;
  gulong poll_us = POLL_MIN_US;

  for (;;)
    {
      char *end = sbrk (0);
      volatile char *pages;
      GSource *source;

      /* The heap has not grown since the last round, nor given its free
       * pages back: what it takes next is still what the last round
       * touched. */
      if (g_atomic_int_compare_and_exchange (&trimmed, 1, 0))
        g_usleep (AFTER_TRIM_US);
      else if (end == (char *) -1 || end <= warmed_end)
        {
          g_usleep (poll_us);
          poll_us = MIN (poll_us * 2, POLL_MAX_US);
          continue;
        }

      g_mutex_lock (&lock);
      block_given = FALSE;
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, give_block, NULL, NULL);
      g_source_attach (source, g_main_context_default ());
      g_source_unref (source);
      while (!block_given)
        g_cond_wait (&given, &lock);
      pages = block;
      block = NULL;
      g_mutex_unlock (&lock);

      if (pages == NULL)
        break;
      for (gsize i = 0; i < WARM_BYTES; i += PAGE_BYTES)
        pages[i] = 0;
      free ((void *) pages);

      warmed_end = sbrk (0);
      poll_us = POLL_MIN_US;
    }

  return NULL;
}
#endif

/* After malloc_trim (): the free pages of the heap, touched or not, went
 * back to the system.  Any thread. */
void
stp_frame_memory_trimmed (void)
{
#ifdef __GLIBC__
  g_atomic_int_set (&trimmed, 1);
#endif
}

/* Call on the main thread, once its main context is the default one. */
void
stp_frame_memory_init (void)
{
#ifdef __GLIBC__
  static gsize started = 0;

  if (g_once_init_enter (&started))
    {
      mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);
      mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
      /* Each time the heap grows, by this much more than asked: what the
       * thread touches next. */
      mallopt (M_TOP_PAD, WARM_BYTES);
      g_thread_unref (g_thread_new ("stp-frame-memory", warm_thread, NULL));
      g_once_init_leave (&started, 1);
    }
#endif
}
