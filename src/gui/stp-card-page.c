#define G_LOG_DOMAIN "stp-card-page"

#include "config.h"

#include "stp-card-page.h"

G_DEFINE_INTERFACE (StpCardPage, stp_card_page, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_STORE,
  PROP_SESSION,
  PROP_RESIDENT_ID,
};

/* What the interface keeps for each page (the pages may keep their own
 * references too, taken in setup). */
typedef struct
{
  StpStore   *store;
  StpSession *session;
  char       *resident_id;
  gboolean    set_up;
} CardPageData;

static GQuark
data_quark (void)
{
  return g_quark_from_static_string ("stp-card-page-data");
}

static void
card_page_data_free (gpointer data)
{
  CardPageData *page_data = data;

  g_clear_object (&page_data->store);
  g_clear_object (&page_data->session);
  g_free (page_data->resident_id);
  g_free (page_data);
}

static CardPageData *
get_data (StpCardPage *self)
{
  CardPageData *page_data = g_object_get_qdata (G_OBJECT (self), data_quark ());

  if (page_data == NULL)
    {
      page_data = g_new0 (CardPageData, 1);
      g_object_set_qdata_full (G_OBJECT (self), data_quark (), page_data, card_page_data_free);
    }
  return page_data;
}

static void
stp_card_page_default_init (StpCardPageInterface *iface)
{
  /**
   * StpCardPage:store:
   *
   * The center database the page reads and writes.
   */
  g_object_interface_install_property (iface,
                                       g_param_spec_object ("store", NULL, NULL, STP_TYPE_STORE,
                                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * StpCardPage:session:
   *
   * The logged-in user (roles, audit).
   */
  g_object_interface_install_property (iface,
                                       g_param_spec_object ("session", NULL, NULL, STP_TYPE_SESSION,
                                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * StpCardPage:resident-id:
   *
   * The resident whose card this page is part of.
   */
  g_object_interface_install_property (iface,
                                       g_param_spec_string ("resident-id", NULL, NULL, NULL,
                                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * StpCardPage::changed:
   *
   * The page saved something that other pages or the card's summary
   * strip show.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
card_page_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  StpCardPage *self = STP_CARD_PAGE (object);
  CardPageData *page_data = get_data (self);

  if (prop_id < PROP_STORE || prop_id > PROP_RESIDENT_ID)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  /* The page's widgets are built for one store, session and resident. */
  if (page_data->set_up)
    {
      g_warning ("%s: “%s” is set once, before the page is shown",
                 G_OBJECT_TYPE_NAME (object), pspec->name);
      return;
    }
  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&page_data->store, g_value_get_object (value));
      break;
    case PROP_SESSION:
      g_set_object (&page_data->session, g_value_get_object (value));
      break;
    case PROP_RESIDENT_ID:
      g_free (page_data->resident_id);
      page_data->resident_id = g_value_dup_string (value);
      break;
    default:
      g_assert_not_reached ();
    }
  if (page_data->store != NULL && page_data->session != NULL && page_data->resident_id != NULL)
    {
      page_data->set_up = TRUE;
      STP_CARD_PAGE_GET_IFACE (self)->setup (self);
    }
}

static void
card_page_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CardPageData *page_data = get_data (STP_CARD_PAGE (object));

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, page_data->store);
      break;
    case PROP_SESSION:
      g_value_set_object (value, page_data->session);
      break;
    case PROP_RESIDENT_ID:
      g_value_set_string (value, page_data->resident_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
stp_card_page_class_override_properties (GObjectClass *object_class)
{
  g_return_if_fail (G_IS_OBJECT_CLASS (object_class));

  object_class->set_property = card_page_set_property;
  object_class->get_property = card_page_get_property;
  g_object_class_override_property (object_class, PROP_STORE, "store");
  g_object_class_override_property (object_class, PROP_SESSION, "session");
  g_object_class_override_property (object_class, PROP_RESIDENT_ID, "resident-id");
}

StpStore *
stp_card_page_get_store (StpCardPage *self)
{
  g_return_val_if_fail (STP_IS_CARD_PAGE (self), NULL);

  return get_data (self)->store;
}

StpSession *
stp_card_page_get_session (StpCardPage *self)
{
  g_return_val_if_fail (STP_IS_CARD_PAGE (self), NULL);

  return get_data (self)->session;
}

const char *
stp_card_page_get_resident_id (StpCardPage *self)
{
  g_return_val_if_fail (STP_IS_CARD_PAGE (self), NULL);

  return get_data (self)->resident_id;
}

gboolean
stp_card_page_is_set_up (StpCardPage *self)
{
  g_return_val_if_fail (STP_IS_CARD_PAGE (self), FALSE);

  return get_data (self)->set_up;
}

void
stp_card_page_reload (StpCardPage *self)
{
  g_return_if_fail (STP_IS_CARD_PAGE (self));

  if (!get_data (self)->set_up)
    return;
  STP_CARD_PAGE_GET_IFACE (self)->reload (self);
}

void
stp_card_page_changed (StpCardPage *self)
{
  g_return_if_fail (STP_IS_CARD_PAGE (self));

  g_signal_emit (self, signals[CHANGED], 0);
}
