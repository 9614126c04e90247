#define G_LOG_DOMAIN "stp-work-row"

#include "config.h"

#include "stp-work-row.h"

struct _StpWorkRow
{
  GObject   parent_instance;

  gboolean  header;
  gboolean  overdue;
  char     *resident_id;
  char     *title;
  char     *subtitle;
  char     *state;
  char     *letter_id;
};

G_DEFINE_FINAL_TYPE (StpWorkRow, stp_work_row, G_TYPE_OBJECT)

static void
stp_work_row_finalize (GObject *object)
{
  StpWorkRow *self = STP_WORK_ROW (object);

  g_free (self->resident_id);
  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->state);
  g_free (self->letter_id);

  G_OBJECT_CLASS (stp_work_row_parent_class)->finalize (object);
}

static void
stp_work_row_class_init (StpWorkRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_work_row_finalize;
}

static void
stp_work_row_init (StpWorkRow *self)
{
}

static StpWorkRow *
work_row_new (gboolean    header,
              const char *resident_id,
              const char *title,
              const char *subtitle,
              const char *state,
              gboolean    overdue,
              const char *letter_id)
{
  StpWorkRow *self = g_object_new (STP_TYPE_WORK_ROW, NULL);

  self->header = header;
  self->resident_id = g_strdup (resident_id);
  self->title = g_strdup (title);
  self->subtitle = g_strdup (subtitle);
  self->state = g_strdup (state);
  self->overdue = overdue;
  self->letter_id = g_strdup (letter_id);
  return self;
}

StpWorkRow *
stp_work_row_new_header (const char *resident_id,
                         const char *title,
                         const char *subtitle,
                         const char *state,
                         gboolean    overdue)
{
  return work_row_new (TRUE, resident_id, title, subtitle, state, overdue, NULL);
}

StpWorkRow *
stp_work_row_new_item (const char *resident_id,
                       const char *title,
                       const char *subtitle,
                       const char *state,
                       gboolean    overdue,
                       const char *letter_id)
{
  return work_row_new (FALSE, resident_id, title, subtitle, state, overdue, letter_id);
}

gboolean
stp_work_row_is_header (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), FALSE);
  return self->header;
}

const char *
stp_work_row_get_resident_id (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), NULL);
  return self->resident_id;
}

const char *
stp_work_row_get_title (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), NULL);
  return self->title;
}

const char *
stp_work_row_get_subtitle (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), NULL);
  return self->subtitle;
}

const char *
stp_work_row_get_state (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), NULL);
  return self->state;
}

gboolean
stp_work_row_get_overdue (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), FALSE);
  return self->overdue;
}

const char *
stp_work_row_get_letter_id (StpWorkRow *self)
{
  g_return_val_if_fail (STP_IS_WORK_ROW (self), NULL);
  return self->letter_id;
}
