#define G_LOG_DOMAIN "stp-audit-item"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-audit-item.h"
#include "stp-gui-util.h"

#include <string.h>

/* What a record kind is called in the log, by StpRecordKind. */
static const char *kind_labels[STP_N_KINDS] = {
  N_("Center"),
  N_("User"),
  N_("Program"),
  N_("Stage"),
  N_("Resident"),
  N_("Episode"),
  N_("Stage entry"),
  N_("Relative"),
  N_("Consent"),
  N_("Journal entry"),
  N_("Screening"),
  N_("Follow-up"),
  N_("Referral"),
  N_("Court obligation"),
  N_("Court notice"),
};

static char *
describe_entity (const char *table,
                 const char *entity_id,
                 const char *resident_name,
                 const char *entity_name)
{
  int kind;
  const char *label;

  if (table == NULL)
    return NULL;

  kind = stp_record_kind_from_table (table);
  label = kind >= 0 && kind < STP_N_KINDS ? _(kind_labels[kind]) : table;
  if (entity_id == NULL)
    return g_strdup (label);

  /* Whose record: what the director looks for in the log. */
  if (resident_name != NULL)
    return g_strdup_printf ("%s: %s", label, resident_name);
  /* A user, stage, program or center by its name. */
  if (entity_name != NULL)
    return g_strdup_printf ("%s: %s", label, entity_name);

  /* The start of a UUIDv7 is its time; the end tells records apart. */
  return g_strdup_printf ("%s …%s", label,
                          strlen (entity_id) > 8 ? entity_id + strlen (entity_id) - 8 : entity_id);
}

struct _StpAuditItem
{
  GObject  parent_instance;

  char    *at;        /* UTC ISO 8601, sorts by time */
  char    *time;      /* local дд.мм.гггг чч:мм */
  char    *user;
  char    *action;
  char    *entity;
  char    *detail;
  char    *login;          /* for the user filter */
  char    *resident_name;  /* for the resident filter, or NULL */
  int      action_code;    /* StpAuditAction */
};

G_DEFINE_FINAL_TYPE (StpAuditItem, stp_audit_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AT,
  PROP_TIME,
  PROP_USER,
  PROP_ACTION,
  PROP_ENTITY,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
stp_audit_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  StpAuditItem *self = STP_AUDIT_ITEM (object);

  switch (prop_id)
    {
    case PROP_AT:
      g_value_set_string (value, self->at);
      break;
    case PROP_TIME:
      g_value_set_string (value, self->time);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_ACTION:
      g_value_set_string (value, self->action);
      break;
    case PROP_ENTITY:
      g_value_set_string (value, self->entity);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_audit_item_finalize (GObject *object)
{
  StpAuditItem *self = STP_AUDIT_ITEM (object);

  g_free (self->at);
  g_free (self->time);
  g_free (self->user);
  g_free (self->action);
  g_free (self->entity);
  g_free (self->detail);
  g_free (self->login);
  g_free (self->resident_name);

  G_OBJECT_CLASS (stp_audit_item_parent_class)->finalize (object);
}

static void
stp_audit_item_class_init (StpAuditItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = stp_audit_item_finalize;
  object_class->get_property = stp_audit_item_get_property;

  properties[PROP_AT] = g_param_spec_string ("at", NULL, NULL, NULL, flags);
  properties[PROP_TIME] = g_param_spec_string ("time", NULL, NULL, NULL, flags);
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, flags);
  properties[PROP_ACTION] = g_param_spec_string ("action", NULL, NULL, NULL, flags);
  properties[PROP_ENTITY] = g_param_spec_string ("entity", NULL, NULL, NULL, flags);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stp_audit_item_init (StpAuditItem *self)
{
}

StpAuditItem *
stp_audit_item_new (const StpAuditEvent *event)
{
  StpAuditItem *self;

  g_return_val_if_fail (event != NULL, NULL);

  self = g_object_new (STP_TYPE_AUDIT_ITEM, NULL);
  self->at = g_strdup (event->at);
  self->time = stp_gui_format_moment (event->at);
  /* People by name; the program's own runs (sync, backups) as «Система». */
  if (event->user_name != NULL)
    self->user = g_strdup (event->user_name);
  else if (g_strcmp0 (event->user_login, "system") == 0)
    self->user = g_strdup (_("System"));
  else
    self->user = g_strdup (event->user_login);
  self->login = g_strdup (event->user_login);
  self->action = g_strdup (stp_enum_to_label (STP_ENUM_AUDIT_ACTION, event->action));
  self->action_code = event->action;
  self->entity = describe_entity (event->entity, event->entity_id, event->resident_name,
                                  event->entity_name);
  self->resident_name = g_strdup (event->resident_name);
  self->detail = g_strdup (event->detail_text);

  return self;
}

const char *
stp_audit_item_get_action (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->action;
}

const char *
stp_audit_item_get_user (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->user;
}

const char *
stp_audit_item_get_at (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->at;
}

const char *
stp_audit_item_get_login (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->login;
}

const char *
stp_audit_item_get_resident_name (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->resident_name;
}

int
stp_audit_item_get_action_code (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), -1);

  return self->action_code;
}

const char *
stp_audit_item_get_detail (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->detail;
}

const char *
stp_audit_item_get_entity (StpAuditItem *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_ITEM (self), NULL);

  return self->entity;
}
