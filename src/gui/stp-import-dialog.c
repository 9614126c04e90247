#define G_LOG_DOMAIN "stp-import-dialog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-import-dialog.h"
#include "stp-import.h"

struct _StpImportDialog
{
  AdwWindow             parent_instance;

  StpStore             *store;
  StpSession           *session;
  StpImportTable       *table;
  GPtrArray            *combo_rows;   /* AdwComboRow per column */
  GPtrArray            *result_rows;  /* StpImportRow of the last import */
  GtkStringList        *preview_model;
  gboolean              busy;

  AdwWindowTitle       *window_title;
  GtkSpinner           *spinner;
  GtkLabel             *message_label;
  GtkStack             *stack;
  AdwPreferencesGroup  *mapping_group;
  GtkButton            *check_button;
  GtkLabel             *preview_label;
  GtkListView          *preview_list;
  GtkButton            *back_button;
  GtkButton            *import_button;
  AdwStatusPage        *done_page;
};

G_DEFINE_FINAL_TYPE (StpImportDialog, stp_import_dialog, ADW_TYPE_WINDOW)

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_message (StpImportDialog *self,
             const char      *message)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
set_busy (StpImportDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), !busy);
}

/* --- The file ------------------------------------------------------------- */

static GtkStringList *
field_labels (void)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (int f = 0; f < STP_IMPORT_N_FIELDS; f++)
    gtk_string_list_append (list, stp_import_field_label (f));
  return list;
}

static void
fill_mapping (StpImportDialog *self)
{
  g_autofree StpImportField *guessed = stp_import_guess_mapping (self->table);
  g_autoptr(GtkStringList) labels = field_labels ();

  for (guint i = 0; i < self->combo_rows->len; i++)
    adw_preferences_group_remove (self->mapping_group, self->combo_rows->pdata[i]);
  g_ptr_array_set_size (self->combo_rows, 0);

  for (guint c = 0; c < self->table->header->len; c++)
    {
      GtkWidget *row = adw_combo_row_new ();
      g_autofree char *name = g_strdup_printf ("import-column-%u", c);
      const char *sample = "";

      /* The first value of the column tells what it holds. */
      for (guint r = 0; r < self->table->rows->len && *sample == '\0'; r++)
        sample = ((char **) self->table->rows->pdata[r])[c];
      gtk_widget_set_name (row, name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), self->table->header->pdata[c]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sample);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), guessed[c]);
      adw_preferences_group_add (self->mapping_group, row);
      g_ptr_array_add (self->combo_rows, row);
    }
}

gboolean
stp_import_dialog_open_file (StpImportDialog *self,
                             const char      *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpImportTable) table = NULL;
  g_autofree char *base = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (STP_IS_IMPORT_DIALOG (self), FALSE);

  table = stp_import_read_file (path, &error);
  if (table == NULL)
    {
      set_message (self, error->message);
      return FALSE;
    }
  g_clear_pointer (&self->table, stp_import_table_free);
  self->table = g_steal_pointer (&table);
  set_message (self, NULL);
  base = g_path_get_basename (path);
  /* Translators: file name, rows, encoding, column separator. */
  subtitle = g_strdup_printf (_("%s: %u rows, %s, “%c” between columns"), base,
                              self->table->rows->len, self->table->encoding, self->table->delimiter);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  fill_mapping (self);
  gtk_stack_set_visible_child_name (self->stack, "mapping");
  return TRUE;
}

static void
on_file_chosen (GtkNativeDialog *chooser,
                int              response,
                StpImportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        stp_import_dialog_open_file (self, path);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_choose_clicked (StpImportDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Table to Import"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("CSV tables"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.CSV");
  gtk_file_filter_add_pattern (filter, "*.txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_file_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- Checking and importing in a worker thread ---------------------------- */

typedef struct
{
  StpStore         *store;       /* the window's; a second connection is opened */
  StpSession       *session;
  StpImportTable   *table;       /* borrowed: the dialog keeps it while busy */
  StpImportField   *mapping;
  gboolean          run;
  GPtrArray        *rows;
  StpImportSummary  summary;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->session);
  g_free (job->mapping);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_free (job);
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(StpStore) worker = NULL;
  GError *error = NULL;

  /* The window keeps its own connection; this work takes a second one. */
  worker = stp_store_open_secondary (job->store, &error);
  if (worker != NULL)
    job->rows = job->run
      ? stp_import_run (worker, job->session, job->table, job->mapping, &job->summary, &error)
      : stp_import_check (worker, job->session, job->table, job->mapping, &error);
  if (job->rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static char *
describe_row (StpImportRow *row)
{
  const char *what;

  switch (row->status)
    {
    case STP_IMPORT_ROW_OK:
      return row->warnings != NULL
        ? g_strdup_printf (_("Line %u · %s — will be imported; note: %s"), row->line, row->display, row->warnings)
        : g_strdup_printf (_("Line %u · %s — will be imported"), row->line, row->display);
    case STP_IMPORT_ROW_INVALID:
      what = _("error");
      break;
    case STP_IMPORT_ROW_DUPLICATE_EXISTING:
    case STP_IMPORT_ROW_DUPLICATE_IN_FILE:
    default:
      what = _("duplicate");
      break;
    }
  /* Translators: line, resident, "error" or "duplicate", the reason. */
  return g_strdup_printf (_("Line %u · %s — skipped, %s: %s"), row->line, row->display, what, row->problems);
}

static StpImportField *
current_mapping (StpImportDialog *self)
{
  StpImportField *mapping = g_new0 (StpImportField, self->combo_rows->len);

  for (guint i = 0; i < self->combo_rows->len; i++)
    mapping[i] = adw_combo_row_get_selected (ADW_COMBO_ROW (self->combo_rows->pdata[i]));
  return mapping;
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(StpImportDialog) self = user_data;
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint ok = 0, invalid = 0, duplicates = 0;
  g_autofree char *summary = NULL;
  g_autofree char *button = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_message (self, error->message);
      return;
    }
  /* Problems first, so that they are seen. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < job->rows->len; i++)
      {
        StpImportRow *row = job->rows->pdata[i];
        g_autofree char *text = NULL;

        if ((row->status == STP_IMPORT_ROW_OK) != (pass == 1))
          continue;
        if (pass == 0)
          {
            if (row->status == STP_IMPORT_ROW_INVALID)
              invalid++;
            else
              duplicates++;
          }
        else
          ok++;
        text = describe_row (row);
        g_strv_builder_add (builder, text);
      }
  lines = g_strv_builder_end (builder);
  gtk_string_list_splice (self->preview_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->preview_model)),
                          (const char * const *) lines);
  summary = g_strdup_printf (_("Will be imported: %u. Skipped: %u with errors, %u duplicates."),
                             ok, invalid, duplicates);
  gtk_label_set_text (self->preview_label, summary);
  button = g_strdup_printf (_("_Import %u Rows"), ok);
  gtk_button_set_label (self->import_button, button);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), ok > 0);
  set_message (self, NULL);
  gtk_stack_set_visible_child_name (self->stack, "preview");
}

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StpImportDialog) self = user_data;
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_message (self, error->message);
      return;
    }
  g_clear_pointer (&self->result_rows, g_ptr_array_unref);
  self->result_rows = g_steal_pointer (&job->rows);
  description = g_strdup_printf (_("Imported: %u residents. Skipped: %u rows with errors and %u duplicates. "
                                   "The import is recorded in the access log."),
                                 job->summary.imported, job->summary.invalid, job->summary.duplicates);
  adw_status_page_set_description (self->done_page, description);
  gtk_stack_set_visible_child_name (self->stack, "done");
  g_signal_emit (self, signals[IMPORTED], 0, job->summary.imported);
}

static void
start_job (StpImportDialog     *self,
           gboolean             run,
           GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  if (self->busy || self->table == NULL)
    return;
  job = g_new0 (ImportJob, 1);
  job->store = g_object_ref (self->store);
  job->session = g_object_ref (self->session);
  job->table = self->table;
  job->mapping = current_mapping (self);
  job->run = run;
  task = g_task_new (NULL, NULL, callback, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  set_message (self, NULL);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, import_thread);
}

static void
on_check_clicked (StpImportDialog *self)
{
  start_job (self, FALSE, on_checked);
}

static void
on_import_clicked (StpImportDialog *self)
{
  start_job (self, TRUE, on_imported);
}

static void
on_back_clicked (StpImportDialog *self)
{
  gtk_stack_set_visible_child_name (self->stack, "mapping");
}

/* --- The report ----------------------------------------------------------- */

gboolean
stp_import_dialog_save_report (StpImportDialog  *self,
                               const char       *path,
                               GError          **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (STP_IS_IMPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (self->result_rows != NULL, FALSE);

  text = stp_import_report_csv (self->result_rows);
  return g_file_set_contents (path, text, -1, error);
}

static void
on_report_chosen (GtkNativeDialog *chooser,
                  int              response,
                  StpImportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path != NULL && !stp_import_dialog_save_report (self, path, &error))
        set_message (self, error->message);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_report_clicked (StpImportDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the Import Report"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("import-report.csv"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_report_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- The list's rows ------------------------------------------------------ */

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 4);
  gtk_widget_set_margin_bottom (label, 4);
  gtk_list_item_set_child (item, label);
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static void
stp_import_dialog_dispose (GObject *object)
{
  StpImportDialog *self = STP_IMPORT_DIALOG (object);

  g_clear_pointer (&self->table, stp_import_table_free);
  g_clear_pointer (&self->combo_rows, g_ptr_array_unref);
  g_clear_pointer (&self->result_rows, g_ptr_array_unref);
  g_clear_object (&self->preview_model);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (stp_import_dialog_parent_class)->dispose (object);
}

static void
stp_import_dialog_class_init (StpImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_import_dialog_dispose;

  /**
   * StpImportDialog::imported:
   * @count: how many residents were imported
   */
  signals[IMPORTED] =
    g_signal_new ("imported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, mapping_group);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, check_button);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, preview_label);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, preview_list);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, back_button);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, StpImportDialog, done_page);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_check_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_import_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_report_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
stp_import_dialog_init (StpImportDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->combo_rows = g_ptr_array_new ();
  self->preview_model = gtk_string_list_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), NULL);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->preview_model)));
  gtk_list_view_set_model (self->preview_list, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_list_view_set_factory (self->preview_list, factory);
}

StpImportDialog *
stp_import_dialog_new (StpStore   *store,
                       StpSession *session)
{
  StpImportDialog *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_IMPORT_DIALOG, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  return self;
}

/* --- The entry in the settings -------------------------------------------- */

static void
on_open_import (GtkButton *button,
                gpointer   user_data)
{
  GtkWidget *group = user_data;
  StpStore *store = g_object_get_data (G_OBJECT (group), "store");
  StpSession *session = g_object_get_data (G_OBJECT (group), "session");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  StpImportDialog *dialog = stp_import_dialog_new (store, session);

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWidget *
stp_import_dialog_new_settings_group (StpStore   *store,
                                      StpSession *session)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Import…"));

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Import from a Table"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Residents from an Excel or LibreOffice table"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("A CSV file; every row is shown before anything is saved, "
                                 "and residents already here are skipped"));
  gtk_widget_set_name (button, "import-open");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  g_object_set_data_full (G_OBJECT (group), "store", g_object_ref (store), g_object_unref);
  g_object_set_data_full (G_OBJECT (group), "session", g_object_ref (session), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (on_open_import), group);
  return group;
}
