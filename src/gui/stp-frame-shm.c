/* stp-frame-shm.c: the shared memory a frame goes to the X server in, kept.
 *
 * On X11 with the cairo renderer, GDK hands each frame's image to the X
 * server through cairo-xlib, which copies it into a block of shared memory
 * (MIT-SHM) from a pool of its own.  cairo destroys a pool as soon as no
 * block of it is in use, so most window-sized frames got a new segment and
 * touched ~770 fresh pages of it: 10–12 ms of the main thread on this
 * project's virtual machines (perf: page faults under pixman_blt).
 *
 * cairo never destroys a pool with a block in use.  So once, after the
 * first window is shown, a shared-memory image as large as the monitor
 * (rounded up to a power of two) makes a pool big enough for any frame, a tiny image taken from the same
 * pool stays for the life of the program (a few hundred bytes), and a
 * thread touches the large image's pages before it is given back: the
 * frames that follow take their block from a pool already mapped.  Where
 * there is no MIT-SHM, no X11 or another renderer, nothing changes but a
 * few KB. */
#include "config.h"

#include "stp-frame-shm.h"

#ifdef GDK_WINDOWING_X11
#include <cairo-xlib.h>
#include <gdk/x11/gdkx.h>

#define PAGE_BYTES 4096
#define LARGE_STRIDE 4096

static cairo_surface_t *pin;

static gboolean
release_large (gpointer data)
{
  cairo_surface_destroy (data);

  return G_SOURCE_REMOVE;
}

static gpointer
touch_thread (gpointer data)
{
  cairo_surface_t *large = data;
  volatile unsigned char *pixels = cairo_image_surface_get_data (large);
  gsize size = (gsize) cairo_image_surface_get_stride (large) * cairo_image_surface_get_height (large);

  for (gsize i = 0; i < size; i += PAGE_BYTES)
    pixels[i] = 0;
  g_idle_add_full (G_PRIORITY_LOW, release_large, large, NULL);

  return NULL;
}

static gboolean
keep_pool (gpointer data)
{
  GtkWindow *window = data;
  GdkSurface *surface;
  GdkDisplay *display;
  GdkMonitor *monitor;
  GdkRectangle geometry;
  Display *xdisplay;
  cairo_surface_t *xlib;
  cairo_surface_t *large;
  int scale;
  gsize bytes;
  int rows;

  surface = gtk_native_get_surface (GTK_NATIVE (window));
  if (pin != NULL || surface == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return G_SOURCE_REMOVE;
  display = gdk_surface_get_display (surface);
  if (!GDK_IS_X11_DISPLAY (display))
    return G_SOURCE_REMOVE;
  monitor = gdk_display_get_monitor_at_surface (display, surface);
  if (monitor == NULL)
    return G_SOURCE_REMOVE;
  gdk_monitor_get_geometry (monitor, &geometry);
  scale = gdk_surface_get_scale_factor (surface);

  xdisplay = gdk_x11_display_get_xdisplay (display);
  xlib = cairo_xlib_surface_create (xdisplay, gdk_x11_surface_get_xid (surface),
                                    DefaultVisual (xdisplay, DefaultScreen (xdisplay)),
                                    MAX (gdk_surface_get_width (surface) * scale, 1),
                                    MAX (gdk_surface_get_height (surface) * scale, 1));
  /* A whole block of cairo's pool (a power of two): the block a frame
   * gets later is this one or half of it, all of it touched. */
  bytes = (gsize) geometry.width * geometry.height * scale * scale * 4;
  rows = 1;
  while ((gsize) rows * LARGE_STRIDE < bytes)
    rows *= 2;
  large = cairo_surface_create_similar_image (xlib, CAIRO_FORMAT_ARGB32, LARGE_STRIDE / 4, rows);
  pin = cairo_surface_create_similar_image (xlib, CAIRO_FORMAT_ARGB32, 16, 16);
  cairo_surface_destroy (xlib);

  if (cairo_surface_status (large) == CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_flush (large);
      g_thread_unref (g_thread_new ("stp-frame-shm", touch_thread, large));
    }
  else
    cairo_surface_destroy (large);

  return G_SOURCE_REMOVE;
}

static void
on_map (GtkWidget *window)
{
  g_idle_add_full (G_PRIORITY_LOW, keep_pool, g_object_ref (window), g_object_unref);
  g_signal_handlers_disconnect_by_func (window, on_map, NULL);
}
#endif

/* Call with the first window, before it is shown. */
void
stp_frame_shm_keep (GtkWindow *window)
{
#ifdef GDK_WINDOWING_X11
  if (pin == NULL)
    g_signal_connect (window, "map", G_CALLBACK (on_map), NULL);
#endif
}
