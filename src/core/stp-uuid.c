#define G_LOG_DOMAIN "stp-uuid"

#include "config.h"

#include "stp-uuid.h"

#include <sodium.h>

char *
stp_uuid_new_v7_at (gint64 usec)
{
  guint8 b[16];
  guint64 ms = (guint64) (usec / 1000);

  randombytes_buf (b, sizeof b);
  b[0] = (guint8) (ms >> 40);
  b[1] = (guint8) (ms >> 32);
  b[2] = (guint8) (ms >> 24);
  b[3] = (guint8) (ms >> 16);
  b[4] = (guint8) (ms >> 8);
  b[5] = (guint8) ms;
  b[6] = (guint8) (0x70 | (b[6] & 0x0f));
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
