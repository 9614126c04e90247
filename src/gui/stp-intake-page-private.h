/* stp-intake-page-private.h: what stp-intake-page.c (the steps, saving,
 * the widget) and stp-intake-page-records.c (collecting, relatives, draft,
 * defaults) share.  Only for src/gui. */
#pragma once

#include <adwaita.h>

#include "stp-intake-page.h"
#include "stp-intake-draft.h"
#include "stp-record-form.h"

G_BEGIN_DECLS

#define N_STEPS 4
#define N_CONSENT_KINDS 5

struct _StpIntakePage
{
  GtkWidget       parent_instance;

  StpStore       *store;
  StpSession     *session;
  StpIntakeDraft *draft;

  /* Template widgets. */
  GtkWidget      *toast_overlay;
  GtkWidget      *step_label;
  GtkWidget      *step_bar;
  GtkWidget      *stack;
  GtkWidget      *person_box;
  GtkWidget      *episode_box;
  GtkWidget      *relatives_box;
  GtkWidget      *relatives_list;
  GtkWidget      *consents_box;
  GtkWidget      *duplicates_new_list;
  GtkWidget      *duplicates_existing_list;
  GtkWidget      *back_button;
  GtkWidget      *next_button;
  GtkWidget      *save_button;
  GtkWidget      *clear_button;
  GtkWidget      *message_label;
  GtkWidget      *create_new_button;

  StpRecordForm  *person_form;
  StpRecordForm  *episode_form;
  StpRecordForm  *relative_form;
  GtkWidget      *substance_checks[16];
  guint           n_substance_checks;
  GtkWidget      *consent_rows[N_CONSENT_KINDS];
  GtkWidget      *consent_date_rows[N_CONSENT_KINDS];
  GtkWidget      *recipient_row;

  GPtrArray      *relatives;       /* StpRelative, not saved yet */
  guint           step;            /* 0 … N_STEPS - 1 */
  gboolean        restoring;
  /* The person (names and birth date) the user said is not one of the
   * similar residents, and which residents those were: the check before
   * saving asks again only about ones not seen yet. */
  char           *confirmed_person;
  GHashTable     *confirmed_ids;
  char           *shown_person;
  GPtrArray      *shown_ids;
  gboolean        duplicates_at_save;  /* the question came from Save */
};

/* stp-intake-page.c */
void _stp_intake_page_set_message (StpIntakePage *self,
                                   const char    *message);

void _stp_intake_page_show_step (StpIntakePage *self,
                                 guint          step);

/* stp-intake-page-records.c */
gboolean _stp_intake_page_collect_person (StpIntakePage  *self,
                                          StpResident    *resident,
                                          GError        **error);

gboolean _stp_intake_page_collect_episode (StpIntakePage  *self,
                                           StpEpisode     *episode,
                                           const char     *resident_id,
                                           GError        **error);

GPtrArray *_stp_intake_page_collect_consents (StpIntakePage  *self,
                                              const char     *resident_id,
                                              GError        **error);

void _stp_intake_page_rebuild_relatives_list (StpIntakePage *self);

gboolean _stp_intake_page_relative_form_is_empty (StpIntakePage *self);

gboolean _stp_intake_page_add_relative_from_form (StpIntakePage *self);

void _stp_intake_page_on_add_relative_clicked (StpIntakePage *self);

void _stp_intake_page_changed (StpIntakePage *self);

void _stp_intake_page_restore_keyfile (StpIntakePage *self,
                                       GKeyFile      *keyfile);

void _stp_intake_page_fill_choices (StpIntakePage *self);

void _stp_intake_page_fill_defaults (StpIntakePage *self);

G_END_DECLS
