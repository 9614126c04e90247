#define G_LOG_DOMAIN "stp-resident-item"

#include "config.h"

#include "stp-resident-item.h"
#include "stp-gui-util.h"

struct _StpResidentItem
{
  GObject  parent_instance;

  char    *id;
  char    *full_name;
  char    *file_number;
  int      age;          /* -1 when the birth date is unknown */
  /* Few distinct values among 100 000 rows: interned, not owned. */
  const char *stage;
  int      day;          /* day in the program, from 1; -1 when not in it */
  const char *responsible;
  const char *status;
  const char *outcome;   /* how the last episode ended; NULL while in the center */
};

G_DEFINE_FINAL_TYPE (StpResidentItem, stp_resident_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_FULL_NAME,
  PROP_FILE_NUMBER,
  PROP_AGE,
  PROP_AGE_TEXT,
  PROP_STAGE,
  PROP_DAY,
  PROP_DAY_TEXT,
  PROP_RESPONSIBLE,
  PROP_STATUS,
  PROP_OUTCOME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
stp_resident_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  StpResidentItem *self = STP_RESIDENT_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_FULL_NAME:
      g_value_set_string (value, self->full_name);
      break;
    case PROP_FILE_NUMBER:
      g_value_set_string (value, self->file_number);
      break;
    case PROP_AGE:
      g_value_set_int (value, self->age);
      break;
    case PROP_AGE_TEXT:
      g_value_take_string (value, self->age >= 0 ? g_strdup_printf ("%d", self->age) : g_strdup ("—"));
      break;
    case PROP_STAGE:
      g_value_set_string (value, self->stage);
      break;
    case PROP_DAY:
      g_value_set_int (value, self->day);
      break;
    case PROP_DAY_TEXT:
      g_value_take_string (value, self->day > 0 ? g_strdup_printf ("%d", self->day) : g_strdup ("—"));
      break;
    case PROP_RESPONSIBLE:
      g_value_set_string (value, self->responsible);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_OUTCOME:
      g_value_set_string (value, self->outcome);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_resident_item_finalize (GObject *object)
{
  StpResidentItem *self = STP_RESIDENT_ITEM (object);

  g_free (self->id);
  g_free (self->full_name);
  g_free (self->file_number);

  G_OBJECT_CLASS (stp_resident_item_parent_class)->finalize (object);
}

static void
stp_resident_item_class_init (StpResidentItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = stp_resident_item_finalize;
  object_class->get_property = stp_resident_item_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_FULL_NAME] = g_param_spec_string ("full-name", NULL, NULL, NULL, flags);
  properties[PROP_FILE_NUMBER] = g_param_spec_string ("file-number", NULL, NULL, NULL, flags);
  properties[PROP_AGE] = g_param_spec_int ("age", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_AGE_TEXT] = g_param_spec_string ("age-text", NULL, NULL, NULL, flags);
  properties[PROP_STAGE] = g_param_spec_string ("stage", NULL, NULL, NULL, flags);
  properties[PROP_DAY] = g_param_spec_int ("day", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_DAY_TEXT] = g_param_spec_string ("day-text", NULL, NULL, NULL, flags);
  properties[PROP_RESPONSIBLE] = g_param_spec_string ("responsible", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_OUTCOME] = g_param_spec_string ("outcome", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stp_resident_item_init (StpResidentItem *self)
{
}

StpResidentItem *
stp_resident_item_new (const StpResidentSummary *summary,
                       const char               *today)
{
  StpResidentItem *self;
  const char *parts[4] = { NULL, };
  guint n = 0;

  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (STP_TYPE_RESIDENT_ITEM, NULL);
  self->id = g_strdup (summary->id);

  /* Exactly as long as it is (a GString keeps a power of two). */
  parts[n++] = summary->surname != NULL ? summary->surname : "";
  if (summary->name != NULL)
    parts[n++] = summary->name;
  if (summary->patronymic != NULL)
    parts[n++] = summary->patronymic;
  self->full_name = g_strjoinv (" ", (char **) parts);

  self->file_number = g_strdup (summary->file_number);
  self->age = stp_gui_age (summary->birth_date, today);
  self->responsible = g_intern_string (summary->responsible_name);
  self->status = summary->episode_id != NULL
    ? g_intern_string (stp_enum_to_label (STP_ENUM_EPISODE_STATUS, summary->status))
    : NULL;

  if (summary->episode_id != NULL &&
      (summary->status == STP_EPISODE_INTAKE || summary->status == STP_EPISODE_IN_PROGRAM))
    {
      int days = stp_gui_days_between (summary->admitted_on, today);

      self->day = days >= 0 ? days + 1 : -1;
      self->stage = g_intern_string (summary->stage_name);
    }
  else
    {
      self->day = -1;
      /* Someone not in the center: no stage, and how the last episode
       * ended in a column of its own. */
      self->outcome = self->status;
    }

  return self;
}

const char *
stp_resident_item_get_id (StpResidentItem *self)
{
  g_return_val_if_fail (STP_IS_RESIDENT_ITEM (self), NULL);

  return self->id;
}

const char *
stp_resident_item_get_full_name (StpResidentItem *self)
{
  g_return_val_if_fail (STP_IS_RESIDENT_ITEM (self), NULL);

  return self->full_name;
}

int
stp_resident_item_get_age (StpResidentItem *self)
{
  g_return_val_if_fail (STP_IS_RESIDENT_ITEM (self), -1);

  return self->age;
}

int
stp_resident_item_get_day (StpResidentItem *self)
{
  g_return_val_if_fail (STP_IS_RESIDENT_ITEM (self), -1);

  return self->day;
}

/* Swaps the content of @self and @other and tells @self's watchers: the
 * residents list keeps the row objects the view shows and changes what they
 * hold, so that the view rebinds its rows instead of making new ones. */
void
stp_resident_item_swap_content (StpResidentItem *self,
                                StpResidentItem *other)
{
  StpResidentItem tmp;

  g_return_if_fail (STP_IS_RESIDENT_ITEM (self));
  g_return_if_fail (STP_IS_RESIDENT_ITEM (other));

#define SWAP(field) G_STMT_START { tmp.field = self->field; self->field = other->field; other->field = tmp.field; } G_STMT_END
  SWAP (id);
  SWAP (full_name);
  SWAP (file_number);
  SWAP (age);
  SWAP (stage);
  SWAP (day);
  SWAP (responsible);
  SWAP (status);
  SWAP (outcome);
#undef SWAP

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_ID; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}
