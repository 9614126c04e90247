#define G_LOG_DOMAIN "stp-reports-page"

#include "config.h"

#include "stp-reports-page.h"
#include "stp-report-page-view.h"
#include "stp-report-print.h"
#include "stp-report.h"
#include "stp-stats.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

typedef enum
{
  REPORT_CENSUS,
  REPORT_FOLLOW_UPS,
  REPORT_CENTER,
} ReportKind;

struct _StpReportsPage
{
  GtkBox      parent_instance;

  StpStore   *store;        /* owned */
  StpSession *session;      /* owned */
  GArray     *kinds;        /* of ReportKind, in the combo row's order */

  GtkWidget  *toast_overlay;
  GtkWidget  *report_row;
  GtkWidget  *description_label;
  GtkWidget  *period_group;
  GtkWidget  *from_row;
  GtkWidget  *to_row;
  GtkWidget  *print_button;
  GtkWidget  *pdf_button;
  GtkWidget  *csv_button;
  GtkWidget  *preview_spinner;
  GtkWidget  *preview_error;
  GtkWidget  *preview_box;

  /* The preview: the center report's numbers are counted in a worker
   * thread on a connection of its own (stp_store_open_secondary ()). */
  StpStore     *worker_store;      /* owned; used by one task at a time */
  GMutex        worker_lock;
  guint         preview_timeout_id;
  GCancellable *preview_cancellable;
};

G_DEFINE_FINAL_TYPE (StpReportsPage, stp_reports_page, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PREVIEW_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_preview (StpReportsPage *self);

static ReportKind
selected_kind (StpReportsPage *self)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->report_row));

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->kinds->len)
    return REPORT_CENSUS;
  return g_array_index (self->kinds, ReportKind, selected);
}

static void
toast (StpReportsPage *self,
       const char     *message)
{
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), adw_toast_new (message));
}

/* "дд.мм.гггг" (also д.м.гггг) → "YYYY-MM-DD", or NULL. */
static char *
parse_date (const char *text)
{
  int day, month, year;
  char end;

  if (text == NULL || sscanf (text, " %d.%d.%d%c", &day, &month, &year, &end) != 3)
    return NULL;
  if (year < 1900 || year > 2200 || !g_date_valid_dmy (day, month, year))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", year, month, day);
}

static gboolean
get_period (StpReportsPage  *self,
            char           **out_from,
            char           **out_to)
{
  g_autofree char *from = parse_date (gtk_editable_get_text (GTK_EDITABLE (self->from_row)));
  g_autofree char *to = parse_date (gtk_editable_get_text (GTK_EDITABLE (self->to_row)));

  if ((out_from != NULL && from == NULL) || to == NULL)
    {
      toast (self, _("Enter the dates as дд.мм.гггг, for example 01.01.2026."));
      gtk_widget_grab_focus (from == NULL && out_from != NULL ? self->from_row : self->to_row);
      return FALSE;
    }
  if (out_from != NULL && g_strcmp0 (from, to) > 0)
    {
      toast (self, _("The period ends before it begins. Check the dates."));
      gtk_widget_grab_focus (self->to_row);
      return FALSE;
    }
  if (out_from != NULL)
    *out_from = g_steal_pointer (&from);
  *out_to = g_steal_pointer (&to);
  return TRUE;
}

static void
on_report_changed (StpReportsPage *self)
{
  ReportKind kind = selected_kind (self);

  gtk_widget_set_visible (self->period_group, kind != REPORT_CENSUS);
  gtk_widget_set_visible (self->from_row, kind == REPORT_CENTER);
  gtk_widget_set_visible (self->csv_button, kind == REPORT_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->to_row),
                                 kind == REPORT_FOLLOW_UPS ? _("_Due by") : _("_To"));

  switch (kind)
    {
    case REPORT_CENSUS:
      gtk_label_set_label (GTK_LABEL (self->description_label),
                           _("Who is in the center now, by stage of the program."));
      break;
    case REPORT_FOLLOW_UPS:
      gtk_label_set_label (GTK_LABEL (self->description_label),
                           _("Follow-ups not done yet and due by the date, overdue ones marked."));
      break;
    case REPORT_CENTER:
      gtk_label_set_label (GTK_LABEL (self->description_label),
                           _("The center’s numbers for the period for the commission and grant "
                             "reports: aggregated, without personal data."));
      break;
    default:
      g_assert_not_reached ();
    }
  schedule_preview (self);
}

/* Renders the chosen report; @detail receives what the audit event says. */
static StpReportLayout *
render (StpReportsPage  *self,
        char           **detail,
        GError         **error)
{
  g_autoptr(StpReportLayout) layout = stp_report_layout_new ();
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gboolean ok = FALSE;

  switch (selected_kind (self))
    {
    case REPORT_CENSUS:
      ok = stp_report_census_render (layout, self->store, self->session, error);
      *detail = g_strdup ("census");
      break;
    case REPORT_FOLLOW_UPS:
      if (!get_period (self, NULL, &to))
        return NULL;
      ok = stp_report_follow_ups_render (layout, self->store, self->session, to, error);
      *detail = g_strdup_printf ("follow-ups due by %s", to);
      break;
    case REPORT_CENTER:
      if (!get_period (self, &from, &to))
        return NULL;
      ok = stp_report_center_render (layout, self->store, self->session, from, to, error);
      *detail = g_strdup_printf ("center report %s..%s", from, to);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    {
      g_clear_pointer (detail, g_free);
      return NULL;
    }
  return g_steal_pointer (&layout);
}

static void
on_print_clicked (StpReportsPage *self)
{
  g_autoptr(StpReportLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  GtkRoot *root;

  layout = render (self, &detail, &error);
  if (layout == NULL)
    {
      if (error != NULL)
        toast (self, error->message);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (!stp_report_print_layout (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, layout,
                                self->store, self->session, NULL, NULL, detail, &error))
    toast (self, error->message);
}

typedef struct
{
  StpReportsPage *page;       /* a reference */
  gboolean        csv;
  char           *from;
  char           *to;
} SaveRequest;

static void
save_request_free (SaveRequest *request)
{
  g_object_unref (request->page);
  g_free (request->from);
  g_free (request->to);
  g_free (request);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  SaveRequest *request = user_data;
  StpReportsPage *self = request->page;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = FALSE;

      if (path == NULL)
        {
          toast (self, _("Choose a file on this computer."));
          goto out;
        }

      if (request->csv)
        ok = stp_report_center_to_csv (self->store, self->session, request->from, request->to,
                                       path, &error);
      else
        switch (selected_kind (self))
          {
          case REPORT_CENSUS:
            ok = stp_report_census_to_pdf (self->store, self->session, path, &error);
            break;
          case REPORT_FOLLOW_UPS:
            ok = stp_report_follow_ups_to_pdf (self->store, self->session, request->to, path, &error);
            break;
          case REPORT_CENTER:
            ok = stp_report_center_to_pdf (self->store, self->session, request->from, request->to,
                                           path, &error);
            break;
          default:
            g_assert_not_reached ();
          }

      if (ok)
        {
          g_autofree char *name = g_file_get_basename (file);
          /* TRANSLATORS: %s is a file name. */
          g_autofree char *message = g_strdup_printf (_("Saved to %s"), name);

          toast (self, message);
        }
      else
        toast (self, error->message);
    }

out:
  save_request_free (request);
  g_object_unref (dialog);
}

static void
ask_file (StpReportsPage *self,
          gboolean        csv)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  SaveRequest *request;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  ReportKind kind = selected_kind (self);
  g_autofree char *name = NULL;

  request = g_new0 (SaveRequest, 1);
  request->page = g_object_ref (self);
  request->csv = csv;
  if (kind != REPORT_CENSUS &&
      !get_period (self, kind == REPORT_CENTER ? &request->from : NULL, &request->to))
    {
      save_request_free (request);
      return;
    }

  /* Kinds are not checked here again: the report functions refuse what the
   * session's role may not do. */
  switch (kind)
    {
    case REPORT_CENSUS:
      /* TRANSLATORS: default file name. */
      name = g_strdup (_("census.pdf"));
      break;
    case REPORT_FOLLOW_UPS:
      /* TRANSLATORS: default file name. */
      name = g_strdup (_("follow-ups.pdf"));
      break;
    case REPORT_CENTER:
      /* TRANSLATORS: default file name; %s are the period's dates, %s the extension. */
      name = g_strdup_printf (_("center-report-%s-%s.%s"), request->from, request->to,
                              csv ? "csv" : "pdf");
      break;
    default:
      g_assert_not_reached ();
    }

  dialog = gtk_file_chooser_native_new (csv ? _("Save the Report as CSV") : _("Save the Report as PDF"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_filter_set_name (filter, csv ? _("CSV tables") : _("PDF documents"));
  gtk_file_filter_add_suffix (filter, csv ? "csv" : "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_pdf_clicked (StpReportsPage *self)
{
  ask_file (self, FALSE);
}

static void
on_csv_clicked (StpReportsPage *self)
{
  ask_file (self, TRUE);
}

/* --- The report on screen ------------------------------------------------- */

static void
show_layout (StpReportsPage  *self,
             StpReportLayout *layout)
{
  int n = stp_report_layout_paginate (layout, STP_REPORT_PAGE_WIDTH, STP_REPORT_PAGE_HEIGHT);

  for (int i = 0; i < n; i++)
    {
      GtkWidget *page = stp_report_page_view_new (layout, i);
      g_autofree char *name = g_strdup_printf ("report-preview-page-%d", i + 1);

      gtk_widget_set_name (page, name);
      gtk_widget_add_css_class (page, "card");
      gtk_box_append (GTK_BOX (self->preview_box), page);
    }
}

static void
clear_preview (StpReportsPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->preview_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->preview_box), child);
  gtk_widget_set_visible (self->preview_error, FALSE);
}

static void
show_preview_error (StpReportsPage *self,
                    const char     *message)
{
  gtk_label_set_text (GTK_LABEL (self->preview_error), message);
  gtk_widget_set_visible (self->preview_error, TRUE);
}

typedef struct
{
  StpReportsPage *page;       /* a reference */
  StpSession     *session;
  char           *from;
  char           *to;
} StatsRequest;

static void
stats_request_free (StatsRequest *request)
{
  g_object_unref (request->page);
  g_object_unref (request->session);
  g_free (request->from);
  g_free (request->to);
  g_free (request);
}

static void
stats_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StatsRequest *request = task_data;
  StpReportsPage *self = request->page;
  StpCenterStats *stats;
  GError *error = NULL;

  g_mutex_lock (&self->worker_lock);
  stats = stp_store_center_stats (self->worker_store, request->session, request->from,
                                  request->to, &error);
  g_mutex_unlock (&self->worker_lock);
  if (stats == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) stp_center_stats_free);
}

static void
stats_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  StpReportsPage *self = STP_REPORTS_PAGE (source);
  g_autoptr(StpCenterStats) stats = NULL;
  g_autoptr(StpReportLayout) layout = NULL;
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  gtk_spinner_stop (GTK_SPINNER (self->preview_spinner));
  stats = g_task_propagate_pointer (G_TASK (result), &error);
  layout = stp_report_layout_new ();
  if (stats == NULL ||
      !stp_report_center_render_stats (layout, self->store, self->session, stats, &error))
    {
      show_preview_error (self, error->message);
      return;
    }
  show_layout (self, layout);
  g_signal_emit (self, signals[PREVIEW_LOADED], 0);
}

/* "дд.мм.гггг" fields without complaints: the preview waits for dates. */
static gboolean
quiet_period (StpReportsPage  *self,
              char           **out_from,
              char           **out_to)
{
  g_autofree char *from = parse_date (gtk_editable_get_text (GTK_EDITABLE (self->from_row)));
  g_autofree char *to = parse_date (gtk_editable_get_text (GTK_EDITABLE (self->to_row)));

  if (to == NULL || (out_from != NULL && (from == NULL || strcmp (from, to) > 0)))
    return FALSE;
  if (out_from != NULL)
    *out_from = g_steal_pointer (&from);
  *out_to = g_steal_pointer (&to);
  return TRUE;
}

static gboolean
update_preview (gpointer user_data)
{
  StpReportsPage *self = user_data;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  ReportKind kind = selected_kind (self);

  self->preview_timeout_id = 0;
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  clear_preview (self);
  gtk_spinner_stop (GTK_SPINNER (self->preview_spinner));
  if (self->kinds->len == 0)
    return G_SOURCE_REMOVE;

  if (kind != REPORT_CENSUS && !quiet_period (self, kind == REPORT_CENTER ? &from : NULL, &to))
    {
      show_preview_error (self, _("Enter the period to see the report."));
      return G_SOURCE_REMOVE;
    }

  if (kind == REPORT_CENTER)
    {
      g_autoptr(GTask) task = NULL;
      StatsRequest *request = g_new0 (StatsRequest, 1);

      request->page = g_object_ref (self);
      request->session = g_object_ref (self->session);
      request->from = g_steal_pointer (&from);
      request->to = g_steal_pointer (&to);
      self->preview_cancellable = g_cancellable_new ();
      gtk_spinner_start (GTK_SPINNER (self->preview_spinner));
      task = g_task_new (self, self->preview_cancellable, stats_done, NULL);
      g_task_set_source_tag (task, update_preview);
      g_task_set_check_cancellable (task, FALSE);
      g_task_set_task_data (task, request, (GDestroyNotify) stats_request_free);
      g_task_run_in_thread (task, stats_thread);
      return G_SOURCE_REMOVE;
    }

  /* The lists (census, follow-ups due) run to hundreds of pages on a big
   * center and are laid out on the main thread: they are not shown here. */
  show_preview_error (self, _("Lists are shown when printed or saved as PDF."));
  return G_SOURCE_REMOVE;
}

/* Typing a date does not count the numbers at every key. */
static void
schedule_preview (StpReportsPage *self)
{
  g_clear_handle_id (&self->preview_timeout_id, g_source_remove);
  /* Only for a page someone looks at; "map" schedules it otherwise. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->preview_timeout_id = g_timeout_add (400, update_preview, self);
}

static void
on_period_changed (StpReportsPage *self)
{
  schedule_preview (self);
}

static void
fill_reports (StpReportsPage *self)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  g_autofree char *today = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  ReportKind kind;

  g_array_set_size (self->kinds, 0);
  if (stp_session_can (self->session, STP_PERMISSION_READ_CARD))
    {
      kind = REPORT_CENSUS;
      g_array_append_val (self->kinds, kind);
      gtk_string_list_append (model, _("Census by stage"));
      kind = REPORT_FOLLOW_UPS;
      g_array_append_val (self->kinds, kind);
      gtk_string_list_append (model, _("Follow-ups due"));
    }
  /* The center report is the director's. */
  if (stp_session_can (self->session, STP_PERMISSION_CENTER_STATS))
    {
      kind = REPORT_CENTER;
      g_array_append_val (self->kinds, kind);
      gtk_string_list_append (model, _("Center report"));
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (self->report_row), G_LIST_MODEL (model));
  gtk_widget_set_sensitive (self->print_button, self->kinds->len > 0);
  gtk_widget_set_sensitive (self->pdf_button, self->kinds->len > 0);

  /* Default period: this year. */
  today = stp_store_today (self->store);
  from = g_strdup_printf ("01.01.%.4s", today);
  to = g_strdup_printf ("31.12.%.4s", today);
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), to);

  on_report_changed (self);
}

static void
stp_reports_page_constructed (GObject *object)
{
  StpReportsPage *self = STP_REPORTS_PAGE (object);

  G_OBJECT_CLASS (stp_reports_page_parent_class)->constructed (object);

  g_return_if_fail (self->store != NULL && self->session != NULL);
  self->worker_store = stp_store_open_secondary (self->store, NULL);
  if (self->worker_store == NULL)
    self->worker_store = g_object_ref (self->store);
  fill_reports (self);
}

static void
stp_reports_page_dispose (GObject *object)
{
  StpReportsPage *self = STP_REPORTS_PAGE (object);

  g_clear_handle_id (&self->preview_timeout_id, g_source_remove);
  if (self->preview_cancellable != NULL)
    g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_REPORTS_PAGE);

  G_OBJECT_CLASS (stp_reports_page_parent_class)->dispose (object);
}

static void
stp_reports_page_finalize (GObject *object)
{
  StpReportsPage *self = STP_REPORTS_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_pointer (&self->kinds, g_array_unref);
  g_clear_object (&self->worker_store);
  g_mutex_clear (&self->worker_lock);

  G_OBJECT_CLASS (stp_reports_page_parent_class)->finalize (object);
}

static void
stp_reports_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  StpReportsPage *self = STP_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_reports_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  StpReportsPage *self = STP_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    case PROP_SESSION:
      g_set_object (&self->session, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_reports_page_class_init (StpReportsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = stp_reports_page_constructed;
  object_class->dispose = stp_reports_page_dispose;
  object_class->finalize = stp_reports_page_finalize;
  object_class->get_property = stp_reports_page_get_property;
  object_class->set_property = stp_reports_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, STP_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, STP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The chosen report is shown on the page. */
  signals[PREVIEW_LOADED] =
    g_signal_new ("preview-loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-reports-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, report_row);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, period_group);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, from_row);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, to_row);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, pdf_button);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, csv_button);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, preview_spinner);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, preview_error);
  gtk_widget_class_bind_template_child (widget_class, StpReportsPage, preview_box);
  gtk_widget_class_bind_template_callback (widget_class, on_period_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_report_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_print_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_pdf_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_csv_clicked);
}

static void
stp_reports_page_init (StpReportsPage *self)
{
  self->kinds = g_array_new (FALSE, FALSE, sizeof (ReportKind));
  g_mutex_init (&self->worker_lock);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_after (self, "map", G_CALLBACK (schedule_preview), NULL);
}

GtkWidget *
stp_reports_page_new (StpStore   *store,
                      StpSession *session)
{
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  return g_object_new (STP_TYPE_REPORTS_PAGE,
                       "store", store,
                       "session", session,
                       NULL);
}
