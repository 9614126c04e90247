#define G_LOG_DOMAIN "stp-change"

#include "config.h"

#include "stp-change.h"

StpChange *
stp_change_new (void)
{
  return g_new0 (StpChange, 1);
}

void
stp_change_free (StpChange *change)
{
  if (change == NULL)
    return;
  g_free (change->table);
  g_free (change->row_id);
  g_free (change->field);
  g_free (change->value);
  g_free (change->device);
  g_free (change->base_device);
  g_free (change);
}

StpChange *
stp_change_copy (const StpChange *change)
{
  StpChange *copy;

  g_return_val_if_fail (change != NULL, NULL);

  copy = g_new0 (StpChange, 1);
  *copy = *change;
  copy->table = g_strdup (change->table);
  copy->row_id = g_strdup (change->row_id);
  copy->field = g_strdup (change->field);
  copy->value = g_strdup (change->value);
  copy->device = g_strdup (change->device);
  copy->base_device = g_strdup (change->base_device);
  return copy;
}
