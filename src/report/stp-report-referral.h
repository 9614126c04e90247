/* stp-report-referral.h: a referral or information letter (направление /
 * информационное письмо) to an agency, made from a template, and only with
 * a valid consent of the resident for that recipient. */
#pragma once

#include "stp-report-layout.h"
#include "stp-store.h"

G_BEGIN_DECLS

/* The setting that holds a center's own template (see
 * stp_report_referral_default_template() for the placeholders). */
#define STP_REPORT_REFERRAL_TEMPLATE_SETTING "report-referral-template"

/* The built-in template (translated).  Placeholders: {center}, {resident},
 * {birth_date}, {file_number}, {agency}, {number}, {date}, {admitted_on},
 * {stage}, {purpose}, {consent_date}. */
const char *stp_report_referral_default_template (void);

/* For the outgoing referral @referral_id.  Fails with
 * STP_CORE_ERROR_NO_CONSENT (the message names the recipient) when the
 * resident has no valid transfer consent for the referral's agency. */
gboolean stp_report_referral_letter_render (StpReportLayout  *layout,
                                            StpStore         *store,
                                            StpSession       *session,
                                            const char       *referral_id,
                                            GError          **error);
gboolean stp_report_referral_letter_to_pdf (StpStore         *store,
                                            StpSession       *session,
                                            const char       *referral_id,
                                            const char       *path,
                                            GError          **error);

G_END_DECLS
