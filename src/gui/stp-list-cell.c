/* stp-list-cell.c: a GtkLabel of one ellipsized line in a list's cell,
 * measured without its text.
 *
 * A GtkColumnView of GTK 4.8 keeps some 200 rows made and measures every
 * one of them, each label shaping its text (pango) for its height: with the
 * residents list's seven columns that was most of the 27-40 ms of CPU of
 * the list's first frame and of each search's frame (bench/stupeni-bench-gui).
 * The height of one ellipsized line does not depend on its text: it is
 * measured once, on a real label, for each font, and given to every cell.
 * The label itself draws (only the rows shown are drawn), is what
 * accessibility and the tests see, and looks exactly as before. */
#include "config.h"

#include "stp-list-cell.h"

struct _StpListCell
{
  GtkWidget  parent_instance;

  GtkWidget *label;
};

G_DEFINE_FINAL_TYPE (StpListCell, stp_list_cell, GTK_TYPE_WIDGET)

/* The measured line: its font and CSS node state give the same height. */
typedef struct
{
  guint font_hash;
  int   minimum;
  int   natural;
  int   minimum_baseline;
  int   natural_baseline;
  int   minimum_width;   /* an ellipsized label's: its "…" */
} LineHeight;

static guint
font_hash_of (GtkWidget *label)
{
  PangoContext *context = gtk_widget_get_pango_context (label);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);
  guint hash = font != NULL ? pango_font_description_hash (font) : 0;

  hash = hash * 31 + (guint) (pango_cairo_context_get_resolution (context) * 100);
  if (options != NULL)
    hash = hash * 31 + (guint) cairo_font_options_hash (options);
  return hash;
}

static void
stp_list_cell_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  StpListCell *self = STP_LIST_CELL (widget);
  /* A few entries at most: one per font the cells were drawn with. */
  static GArray *lines = NULL;
  LineHeight line = { 0, };

  if (lines == NULL)
    lines = g_array_new (FALSE, FALSE, sizeof (LineHeight));
  line.font_hash = font_hash_of (self->label);
  for (guint i = 0; i < lines->len; i++)
    if (g_array_index (lines, LineHeight, i).font_hash == line.font_hash)
      {
        line = g_array_index (lines, LineHeight, i);
        goto found;
      }
  /* An ellipsized single line: any width, any text gives this height. */
  gtk_widget_measure (self->label, GTK_ORIENTATION_VERTICAL, -1,
                      &line.minimum, &line.natural, &line.minimum_baseline, &line.natural_baseline);
  {
    /* The narrowest an ellipsized label gets, whatever its text. */
    GtkWidget *sample = gtk_label_new ("…");
    int ellipsis;

    gtk_widget_set_parent (sample, GTK_WIDGET (self));
    gtk_widget_measure (sample, GTK_ORIENTATION_HORIZONTAL, -1, &ellipsis, NULL, NULL, NULL);
    gtk_widget_unparent (sample);
    line.minimum_width = ellipsis;
  }
  g_array_append_val (lines, line);

found:
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The columns have fixed widths (ui/stp-residents-page.ui): the
       * column view only asks for the minimum, which for an ellipsized
       * line is its "…"; the natural width is not used. */
      *minimum = *natural = line.minimum_width;
      *minimum_baseline = *natural_baseline = -1;
      return;
    }
  *minimum = line.minimum;
  *natural = line.natural;
  *minimum_baseline = line.minimum_baseline;
  *natural_baseline = line.natural_baseline;
}

static void
stp_list_cell_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  StpListCell *self = STP_LIST_CELL (widget);

  gtk_widget_allocate (self->label, width, height, baseline, NULL);
}

static GtkSizeRequestMode
stp_list_cell_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
stp_list_cell_dispose (GObject *object)
{
  StpListCell *self = STP_LIST_CELL (object);

  g_clear_pointer (&self->label, gtk_widget_unparent);

  G_OBJECT_CLASS (stp_list_cell_parent_class)->dispose (object);
}

static void
stp_list_cell_class_init (StpListCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_list_cell_dispose;
  widget_class->measure = stp_list_cell_measure;
  widget_class->size_allocate = stp_list_cell_size_allocate;
  widget_class->get_request_mode = stp_list_cell_get_request_mode;
  gtk_widget_class_set_css_name (widget_class, "stp-list-cell");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

static void
stp_list_cell_init (StpListCell *self)
{
  self->label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (self->label), TRUE);
  gtk_widget_set_parent (self->label, GTK_WIDGET (self));
}

/* A cell whose text is set on its label (stp_list_cell_get_label). */
GtkWidget *
stp_list_cell_new (float xalign)
{
  StpListCell *self = g_object_new (STP_TYPE_LIST_CELL, NULL);

  gtk_label_set_xalign (GTK_LABEL (self->label), xalign);
  return GTK_WIDGET (self);
}

GtkLabel *
stp_list_cell_get_label (StpListCell *self)
{
  g_return_val_if_fail (STP_IS_LIST_CELL (self), NULL);

  return GTK_LABEL (self->label);
}
