#define G_LOG_DOMAIN "stp-uuid"

#include "config.h"

#include "stp-uuid.h"

#include <sodium.h>

/* Ids made by one process are strictly increasing (RFC 9562, method 3):
 * the 12 bits after the milliseconds hold the sub-millisecond fraction, and
 * an id that would not sort after the previous one takes the previous
 * value plus one.  Records created together (the default programs) then
 * list in the order they were made. */
static GMutex uuid_lock;
static guint64 last_stamp;  /* ms << 12 | fraction */

char *
stp_uuid_new_v7_at (gint64 usec)
{
  guint8 b[16];
  guint64 ms = (guint64) (usec / 1000);
  guint64 stamp = (ms << 12) | (guint64) ((usec % 1000) * 4096 / 1000);

  g_mutex_lock (&uuid_lock);
  if (stamp <= last_stamp && last_stamp - stamp < ((guint64) 10000 << 12))
    stamp = last_stamp + 1;
  last_stamp = stamp;
  g_mutex_unlock (&uuid_lock);
  ms = stamp >> 12;

  randombytes_buf (b, sizeof b);
  b[0] = (guint8) (ms >> 40);
  b[1] = (guint8) (ms >> 32);
  b[2] = (guint8) (ms >> 24);
  b[3] = (guint8) (ms >> 16);
  b[4] = (guint8) (ms >> 8);
  b[5] = (guint8) ms;
  b[6] = (guint8) (0x70 | ((stamp >> 8) & 0x0f));
  b[7] = (guint8) (stamp & 0xff);
  b[8] = (guint8) (0x80 | (b[8] & 0x3f));

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
stp_uuid_new_v7 (void)
{
  return stp_uuid_new_v7_at (g_get_real_time ());
}
