/* stp-hlc.h: hybrid logical clock: 48-bit milliseconds, 16-bit counter. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STP_HLC_MILLIS(hlc)  ((guint64) (hlc) >> 16)
#define STP_HLC_COUNTER(hlc) ((guint16) ((hlc) & 0xffff))
#define STP_HLC_MAKE(ms, c)  (((guint64) (ms) << 16) | ((guint64) (c) & 0xffff))

typedef struct
{
  guint64 last;
} StpHlc;

/* A new value, strictly above every value issued or observed, even when the
 * wall clock (@now_millis) goes back. */
guint64 stp_hlc_tick    (StpHlc  *hlc,
                         gint64   now_millis);
/* Moves the clock past a received @remote value. */
void    stp_hlc_observe (StpHlc  *hlc,
                         guint64  remote,
                         gint64   now_millis);
/* Compares (hlc, device) pairs: the merge winner is the greater. */
int     stp_hlc_compare (guint64     a,
                         const char *a_device,
                         guint64     b,
                         const char *b_device);

G_END_DECLS
