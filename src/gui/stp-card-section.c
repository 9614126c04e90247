#define G_LOG_DOMAIN "stp-card-section"

#include "config.h"

#include "stp-card-section.h"
#include "stp-card-page.h"
#include "stp-record-form.h"

typedef struct
{
  /* Template widget (the section's template, bound here), or made in
   * code at setup for a section without a template. */
  GtkBox *box;
} StpCardSectionPrivate;

static void card_page_iface_init (StpCardPageInterface *iface);

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (StpCardSection, stp_card_section, ADW_TYPE_BIN,
                                  G_ADD_PRIVATE (StpCardSection)
                                  G_IMPLEMENT_INTERFACE (STP_TYPE_CARD_PAGE, card_page_iface_init))

/* Set on the type of a section that has a template. */
static GQuark
template_quark (void)
{
  return g_quark_from_static_string ("stp-card-section-template");
}

static gboolean
has_template (StpCardSection *self)
{
  return g_type_get_qdata (G_OBJECT_TYPE (self), template_quark ()) != NULL;
}

static void
setup_page (StpCardPage *page)
{
  StpCardSection *self = STP_CARD_SECTION (page);
  StpCardSectionPrivate *priv = stp_card_section_get_instance_private (self);

  /* The same frame as the templates', made only now: until it is set up
   * such a section is empty. */
  if (!has_template (self))
    {
      GtkWidget *box;

      adw_bin_set_child (ADW_BIN (self), stp_page_scaffold_new (&box));
      priv->box = GTK_BOX (box);
    }
  STP_CARD_SECTION_GET_CLASS (self)->setup (self);
}

static void
reload_page (StpCardPage *page)
{
  StpCardSection *self = STP_CARD_SECTION (page);
  StpCardSectionClass *klass = STP_CARD_SECTION_GET_CLASS (self);

  if (klass->reload != NULL)
    klass->reload (self);
}

static void
card_page_iface_init (StpCardPageInterface *iface)
{
  iface->setup = setup_page;
  iface->reload = reload_page;
}

static void
stp_card_section_dispose (GObject *object)
{
  StpCardSection *self = STP_CARD_SECTION (object);
  StpCardSectionPrivate *priv = stp_card_section_get_instance_private (self);

  /* The template is the final class's own (see class_set_template). */
  if (has_template (self))
    gtk_widget_dispose_template (GTK_WIDGET (object), G_OBJECT_TYPE (object));
  else
    priv->box = NULL;

  G_OBJECT_CLASS (stp_card_section_parent_class)->dispose (object);
}

static void
stp_card_section_class_init (StpCardSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stp_card_section_dispose;
  stp_card_page_class_override_properties (object_class);
}

static void
stp_card_section_init (StpCardSection *self)
{
}

void
stp_card_section_class_set_template_from_resource (StpCardSectionClass *klass,
                                                   const char          *resource_name)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_return_if_fail (STP_IS_CARD_SECTION_CLASS (klass));
  g_return_if_fail (resource_name != NULL);

  gtk_widget_class_set_template_from_resource (widget_class, resource_name);
  g_type_set_qdata (G_TYPE_FROM_CLASS (klass), template_quark (), GINT_TO_POINTER (TRUE));
  /* The box is in StpCardSection's private part, at the same place in
   * every section. */
  gtk_widget_class_bind_template_child_private (widget_class, StpCardSection, box);
}

GtkWidget *
stp_card_section_new (GType       type,
                      StpStore   *store,
                      StpSession *session,
                      const char *resident_id)
{
  g_return_val_if_fail (g_type_is_a (type, STP_TYPE_CARD_SECTION), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (resident_id != NULL, NULL);

  return g_object_new (type,
                       "store", store,
                       "session", session,
                       "resident-id", resident_id,
                       NULL);
}

StpStore *
stp_card_section_get_store (StpCardSection *self)
{
  g_return_val_if_fail (STP_IS_CARD_SECTION (self), NULL);

  return stp_card_page_get_store (STP_CARD_PAGE (self));
}

StpSession *
stp_card_section_get_session (StpCardSection *self)
{
  g_return_val_if_fail (STP_IS_CARD_SECTION (self), NULL);

  return stp_card_page_get_session (STP_CARD_PAGE (self));
}

const char *
stp_card_section_get_resident_id (StpCardSection *self)
{
  g_return_val_if_fail (STP_IS_CARD_SECTION (self), NULL);

  return stp_card_page_get_resident_id (STP_CARD_PAGE (self));
}

void
stp_card_section_append (StpCardSection *self,
                         GtkWidget      *child)
{
  StpCardSectionPrivate *priv;

  g_return_if_fail (STP_IS_CARD_SECTION (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  priv = stp_card_section_get_instance_private (self);
  /* Set by the template, or at setup for a section without one. */
  g_return_if_fail (priv->box != NULL);
  gtk_box_append (priv->box, child);
}

static void
on_editor_changed (gpointer user_data)
{
  stp_card_page_changed (STP_CARD_PAGE (user_data));
}

void
stp_card_section_add_editor (StpCardSection  *self,
                             StpRecordEditor *editor)
{
  g_return_if_fail (STP_IS_CARD_SECTION (self));
  g_return_if_fail (STP_IS_RECORD_EDITOR (editor));

  /* The editor calls back with the user data it was made with: the
   * section. */
  stp_record_editor_set_changed (editor, G_CALLBACK (on_editor_changed));
  stp_card_section_append (self, stp_record_editor_get_list (editor));
  stp_card_section_append (self, stp_record_editor_get_form_widget (editor));
}
