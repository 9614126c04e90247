#define G_LOG_DOMAIN "stp-hlc"

#include "config.h"

#include "stp-hlc.h"


guint64
stp_hlc_tick (StpHlc *hlc,
              gint64  now_millis)
{
  guint64 last_ms;
  guint64 now_ms;

  g_return_val_if_fail (hlc != NULL, 0);

  now_ms = now_millis > 0 ? (guint64) now_millis : 0;
  now_ms &= G_GUINT64_CONSTANT (0xffffffffffff);
  last_ms = STP_HLC_MILLIS (hlc->last);

  if (now_ms > last_ms)
    hlc->last = STP_HLC_MAKE (now_ms, 0);
  else if (STP_HLC_COUNTER (hlc->last) < 0xffff)
    hlc->last = hlc->last + 1;
  else
    /* The counter is exhausted: borrow the next millisecond. */
    hlc->last = STP_HLC_MAKE (last_ms + 1, 0);

  return hlc->last;
}

void
stp_hlc_observe (StpHlc  *hlc,
                 guint64  remote,
                 gint64   now_millis)
{
  g_return_if_fail (hlc != NULL);

  if (remote > hlc->last)
    hlc->last = remote;
  (void) now_millis;
}

int
stp_hlc_compare (guint64     a,
                 const char *a_device,
                 guint64     b,
                 const char *b_device)
{
  int c;

  if (a < b)
    return -1;
  if (a > b)
    return 1;
  c = g_strcmp0 (a_device, b_device);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}
