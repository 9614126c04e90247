#define G_LOG_DOMAIN "stp-unsaved"

#include "config.h"

#include "stp-unsaved.h"
#include "stp-resident-window.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  GPtrArray             *cards;    /* StpResidentWindow, owned */
  GObject               *owner;    /* owned */
  StpUnsavedProceedFunc  proceed;
  char                  *response;
} Question;

static void
question_free (Question *question)
{
  g_clear_pointer (&question->cards, g_ptr_array_unref);
  g_clear_object (&question->owner);
  g_free (question->response);
  g_free (question);
}

gboolean
stp_cards_have_unsaved_edits (GPtrArray *cards)
{
  g_return_val_if_fail (cards != NULL, FALSE);

  for (guint i = 0; i < cards->len; i++)
    if (stp_resident_window_has_unsaved_edits (g_ptr_array_index (cards, i)))
      return TRUE;
  return FALSE;
}

/* Runs once the dialog is gone: going on may destroy the window the dialog
 * belongs to. */
static gboolean
answer_in_idle (gpointer data)
{
  Question *question = data;
  const char *response = question->response;

  if (g_strcmp0 (response, "save") == 0)
    {
      for (guint i = 0; i < question->cards->len; i++)
        {
          StpResidentWindow *card = g_ptr_array_index (question->cards, i);

          /* The card shows what is wrong; the person fixes it and tries again. */
          if (!stp_resident_window_save_edits (card))
            {
              gtk_window_present (GTK_WINDOW (card));
              question_free (question);
              return G_SOURCE_REMOVE;
            }
        }
      question->proceed (question->owner);
    }
  else if (g_strcmp0 (response, "discard") == 0)
    {
      for (guint i = 0; i < question->cards->len; i++)
        stp_resident_window_discard_edits (g_ptr_array_index (question->cards, i));
      question->proceed (question->owner);
    }
  question_free (question);
  return G_SOURCE_REMOVE;
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             Question         *question)
{
  question->response = g_strdup (response);
  g_idle_add (answer_in_idle, question);
}

void
stp_ask_about_unsaved_edits (GtkWindow             *parent,
                             GPtrArray             *cards,
                             GObject               *owner,
                             StpUnsavedProceedFunc  proceed)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *body = NULL;
  Question *question;
  GtkWidget *dialog;
  guint n_unsaved = 0;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (cards != NULL);
  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (proceed != NULL);

  question = g_new0 (Question, 1);
  question->cards = g_ptr_array_new_with_free_func (g_object_unref);
  question->owner = g_object_ref (owner);
  question->proceed = proceed;
  for (guint i = 0; i < cards->len; i++)
    {
      StpResidentWindow *card = g_ptr_array_index (cards, i);

      if (!stp_resident_window_has_unsaved_edits (card))
        continue;
      g_ptr_array_add (question->cards, g_object_ref (card));
      if (n_unsaved++ > 0)
        g_string_append (names, ", ");
      g_string_append (names, gtk_window_get_title (GTK_WINDOW (card)) ?: "");
    }

  if (n_unsaved == 0)
    {
      question->proceed (question->owner);
      question_free (question);
      return;
    }

  /* Translators: the body of the question about unsaved edits; %s is the
   * name of one resident or a list of names. */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The card of %s has edits that are not saved. If you do not save them, they are lost.",
                                       "The cards of %s have edits that are not saved. If you do not save them, they are lost.",
                                       n_unsaved),
                          names->str);
  dialog = adw_message_dialog_new (parent, _("Save the Changes?"), body);
  gtk_widget_set_name (dialog, "unsaved-edits-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("Do_n’t Save"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), question);
  gtk_window_present (GTK_WINDOW (dialog));
}

GPtrArray *
stp_list_card_windows (GtkApplication *app)
{
  GPtrArray *cards = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GList) toplevels = NULL;

  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), cards);

  toplevels = app != NULL ? g_list_copy (gtk_application_get_windows (app))
                          : gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (STP_IS_RESIDENT_WINDOW (l->data))
      g_ptr_array_add (cards, g_object_ref (l->data));
  return cards;
}
