/* stp-change.h: one synced field write, as kept in the outbox and as
 * exchanged between devices (DESIGN.md, Sync). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64   outbox_id;    /* local outbox row id (0 for incoming changes) */
  char    *table;        /* "residents" */
  char    *row_id;
  char    *field;        /* column name, or "deleted" */
  char    *value;        /* text form of the value; NULL for SQL NULL */
  guint64  hlc;          /* 48-bit milliseconds << 16 | 16-bit counter */
  char    *device;       /* the writing device's id */
  guint64  base_hlc;     /* version the writer saw (0: none) */
  char    *base_device;
} StpChange;

StpChange *stp_change_new  (void);
void       stp_change_free (StpChange *change);
StpChange *stp_change_copy (const StpChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpChange, stp_change_free)

G_END_DECLS
