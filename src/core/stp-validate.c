#define G_LOG_DOMAIN "stp-validate"

#include "config.h"

#include "stp-validate.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "stp-error.h"
#include "stp-store-private.h"

static char *
digits_only (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

char *
stp_normalize_phone (const char *text)
{
  g_autofree char *digits = NULL;
  const char *p;
  gboolean plus = FALSE;
  gsize n;

  if (text == NULL)
    return NULL;

  for (p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) || *p == ' ' || *p == '(' || *p == ')' ||
          *p == '-' || *p == '\t' || *p == '.')
        continue;
      if (*p == '+' && !plus)
        {
          plus = TRUE;
          continue;
        }
      return NULL;
    }

  digits = digits_only (text);
  n = strlen (digits);
  if (n == 11 && (digits[0] == '8' || digits[0] == '7'))
    return g_strdup_printf ("+7%s", digits + 1);
  if (n == 10 && !plus && digits[0] == '9')
    return g_strdup_printf ("+7%s", digits);
  if (plus && digits[0] != '7' && n >= 8 && n <= 15)
    return g_strdup_printf ("+%s", digits);
  return NULL;
}

gboolean
stp_snils_is_valid (const char *snils)
{
  g_autofree char *d = NULL;
  int sum = 0;
  int check;
  long number;
  char nine[10];

  if (snils == NULL)
    return FALSE;
  d = digits_only (snils);
  if (strlen (d) != 11)
    return FALSE;

  for (int i = 0; i < 9; i++)
    sum += (d[i] - '0') * (9 - i);
  check = (d[9] - '0') * 10 + (d[10] - '0');
  memcpy (nine, d, 9);
  nine[9] = '\0';
  number = strtol (nine, NULL, 10);
  /* Numbers up to 001-001-998 were issued without a meaningful check. */
  if (number <= 1001998)
    return TRUE;
  if (sum > 101)
    sum %= 101;
  if (sum == 100 || sum == 101)
    sum = 0;
  return sum == check;
}

char *
stp_snils_format (const char *snils)
{
  g_autofree char *d = NULL;

  if (snils == NULL)
    return NULL;
  d = digits_only (snils);
  if (strlen (d) != 11)
    return NULL;
  return g_strdup_printf ("%.3s-%.3s-%.3s %.2s", d, d + 3, d + 6, d + 9);
}

static gboolean
parse_date (const char *date,
            int        *y,
            int        *m,
            int        *d)
{
  if (date == NULL || strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (date[i]))
      return FALSE;
  *y = atoi (date);
  *m = atoi (date + 5);
  *d = atoi (date + 8);
  return g_date_valid_dmy (*d, *m, *y);
}

gboolean
stp_date_is_valid (const char *date)
{
  int y, m, d;

  return parse_date (date, &y, &m, &d);
}

char *
stp_date_add_months (const char *date,
                     int         months)
{
  int y, m, d;
  GDate g;

  gint64 target;

  if (!parse_date (date, &y, &m, &d))
    return NULL;
  /* GDate takes unsigned month counts and asserts on the year's range
   * (found by fuzz-validate): stay within years 1..9999. */
  target = (gint64) y * 12 + (m - 1) + months;
  if (target < 12 || target > (gint64) 9999 * 12 + 11)
    return NULL;
  g_date_clear (&g, 1);
  g_date_set_dmy (&g, d, m, y);
  if (months >= 0)
    g_date_add_months (&g, (guint) months);
  else
    g_date_subtract_months (&g, (guint) -(gint64) months);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&g),
                          g_date_get_month (&g), g_date_get_day (&g));
}

char *
stp_date_add_days (const char *date,
                   int         days)
{
  int y, m, d;
  GDate g;
  GDate bound;
  gint64 julian;

  if (!parse_date (date, &y, &m, &d))
    return NULL;
  g_date_clear (&g, 1);
  g_date_set_dmy (&g, d, m, y);
  /* GDate asserts outside its range: stay within years 1..9999. */
  julian = (gint64) g_date_get_julian (&g) + days;
  g_date_clear (&bound, 1);
  g_date_set_dmy (&bound, 31, G_DATE_DECEMBER, 9999);
  if (julian < 1 || julian > (gint64) g_date_get_julian (&bound))
    return NULL;
  g_date_set_julian (&g, (guint32) julian);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&g),
                          g_date_get_month (&g), g_date_get_day (&g));
}

static void
trim_field (char **p)
{
  char *t;

  if (*p == NULL)
    return;
  t = g_strstrip (*p);
  if (*t == '\0')
    g_clear_pointer (p, g_free);
  else
    {
      /* Squeeze inner runs of spaces in names. */
      GString *s = g_string_new (NULL);
      for (const char *c = t; *c != '\0'; c++)
        if (!(*c == ' ' && s->len > 0 && s->str[s->len - 1] == ' '))
          g_string_append_c (s, *c);
      g_free (*p);
      *p = g_string_free (s, FALSE);
    }
}

static void
normalize_phone_field (char **p)
{
  char *n;

  if (*p == NULL)
    return;
  n = stp_normalize_phone (*p);
  if (n != NULL)
    {
      g_free (*p);
      *p = n;
    }
}

void
stp_record_normalize (StpRecordKind kind,
                      gpointer      record)
{
  const StpKindInfo *info;

  g_return_if_fail (record != NULL);

  info = stp_kind_info (kind);
  for (guint i = 0; i < info->n_fields; i++)
    {
      const StpFieldInfo *f = &info->fields[i];
      if (f->type != STP_FIELD_INT && f->type != STP_FIELD_BOOL &&
          f->type != STP_FIELD_ENUM && !(f->flags & STP_FIELD_SECRET))
        {
          char **p = (char **) ((guint8 *) record + f->offset);
          /* Long texts keep their inner spacing. */
          if (*p != NULL && (strchr (*p, '\n') != NULL || strlen (*p) > 200))
            {
              g_strstrip (*p);
              if (**p == '\0')
                g_clear_pointer (p, g_free);
            }
          else
            trim_field (p);
        }
    }

  if (kind == STP_KIND_RESIDENT)
    {
      StpResident *r = record;
      normalize_phone_field (&r->phone);
      if (r->snils != NULL)
        {
          char *f = stp_snils_format (r->snils);
          if (f != NULL)
            {
              g_free (r->snils);
              r->snils = f;
            }
        }
    }
  else if (kind == STP_KIND_RELATIVE)
    normalize_phone_field (&((StpRelative *) record)->phone);
}

static const char *
label (const StpFieldInfo *f)
{
  return g_dgettext (GETTEXT_PACKAGE, f->label);
}

/* The longest text, in characters, a field may hold: enough for any real
 * name, number or address, and a clear message instead of a 5000-character
 * surname pasted by mistake.  Identifiers are checked elsewhere. */
static guint
max_length (const StpFieldInfo *f)
{
  static const char *names[] = { "surname", "patronymic", "login", NULL };
  static const char *numbers[] = {
    "file_number", "case_number", "certificate_number", "registration_number",
    "snils", "inn", "ogrn", NULL,
  };
  static const char *addresses[] = {
    "registration_address", "actual_address", "address", "legal_name", NULL,
  };
  static const char *long_texts[] = {
    "text", "note", "description", "accompaniment_plan", "purpose", "outcome",
    "prior_treatments", "discharge_reason", "term", "agencies", NULL,
  };

  if (g_str_has_suffix (f->name, "_id"))
    return 0;
  if (g_strv_contains (names, f->name))
    return 100;
  /* A person's name, but also a program's or a center's. */
  if (strcmp (f->name, "name") == 0)
    return 200;
  if (strcmp (f->name, "phone") == 0)
    return 30;
  if (g_strv_contains (numbers, f->name))
    return 50;
  if (g_strv_contains (addresses, f->name))
    return 500;
  if (g_strv_contains (long_texts, f->name))
    return 10000;
  /* Full names, agencies, recipients, documents, courts… */
  return 300;
}

static gboolean
check_order (const char  *earlier,
             const char  *later,
             const char  *later_field,
             const char  *message,
             GError     **error)
{
  if (earlier != NULL && later != NULL && strcmp (later, earlier) < 0)
    {
      stp_set_field_error (error, later_field, "%s", message);
      return FALSE;
    }
  return TRUE;
}

gboolean
stp_record_validate_at (StpRecordKind  kind,
                        gconstpointer  record,
                        const char    *today,
                        GError       **error)
{
  g_autofree char *real_today = NULL;
  const StpKindInfo *info;

  g_return_val_if_fail ((guint) kind < STP_N_KINDS, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (today == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      today = real_today = g_date_time_format (now, "%Y-%m-%d");
    }

  info = stp_kind_info (kind);
  for (guint i = 0; i < info->n_fields; i++)
    {
      const StpFieldInfo *f = &info->fields[i];
      const guint8 *p = (const guint8 *) record + f->offset;

      switch (f->type)
        {
        case STP_FIELD_TEXT:
        case STP_FIELD_DATE:
        case STP_FIELD_MOMENT:
        case STP_FIELD_CHOICE:
        case STP_FIELD_LONG_TEXT:
          {
            const char *s = *(char *const *) p;
            gboolean empty = s == NULL || *s == '\0';

            if (empty && (f->flags & STP_FIELD_REQUIRED))
              {
                stp_set_field_error (error, f->name, _("Fill in “%s”."), label (f));
                return FALSE;
              }
            if (!empty && (f->type == STP_FIELD_TEXT || f->type == STP_FIELD_LONG_TEXT)
                && !(f->flags & STP_FIELD_SECRET))
              {
                guint max = max_length (f);

                if (max > 0 && g_utf8_strlen (s, -1) > (glong) max)
                  {
                    stp_set_field_error (error, f->name,
                                         g_dngettext (GETTEXT_PACKAGE,
                                                      "“%s” is too long: at most %u character.",
                                                      "“%s” is too long: at most %u characters.",
                                                      max),
                                         label (f), max);
                    return FALSE;
                  }
              }
            if (!empty && f->type == STP_FIELD_DATE && !stp_date_is_valid (s))
              {
                stp_set_field_error (error, f->name,
                                     _("“%s” is not a valid date."), label (f));
                return FALSE;
              }
            if (!empty && f->type == STP_FIELD_DATE && strcmp (s, "1900-01-01") < 0)
              {
                stp_set_field_error (error, f->name,
                                     _("“%s” is before 1900. Check the year."), label (f));
                return FALSE;
              }
            if (!empty && f->type == STP_FIELD_MOMENT)
              {
                g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (s, NULL);
                if (dt == NULL)
                  {
                    stp_set_field_error (error, f->name,
                                         _("“%s” is not a valid date and time."), label (f));
                    return FALSE;
                  }
              }
          }
          break;
        case STP_FIELD_INT:
          if (*(const int *) p < 0)
            {
              stp_set_field_error (error, f->name,
                                   _("“%s” cannot be negative."), label (f));
              return FALSE;
            }
          break;
        case STP_FIELD_ENUM:
          if (stp_enum_to_code (f->enum_type, *(const int *) p) == NULL)
            {
              stp_set_field_error (error, f->name,
                                   _("Choose a value for “%s”."), label (f));
              return FALSE;
            }
          break;
        case STP_FIELD_BOOL:
        default:
          break;
        }
    }

  switch (kind)
    {
    case STP_KIND_RESIDENT:
      {
        const StpResident *r = record;
        if (r->birth_date != NULL && strcmp (r->birth_date, today) > 0)
          {
            stp_set_field_error (error, "birth_date",
                                 _("The date of birth is in the future. Check the date."));
            return FALSE;
          }
        if (r->phone != NULL && *r->phone != '\0')
          {
            g_autofree char *n = stp_normalize_phone (r->phone);
            if (n == NULL)
              {
                stp_set_field_error (error, "phone",
                                     _("The phone number is not valid. Enter it as +7 XXX XXX-XX-XX."));
                return FALSE;
              }
          }
        if (r->snils != NULL && *r->snils != '\0' && !stp_snils_is_valid (r->snils))
          {
            stp_set_field_error (error, "snils",
                                 _("The SNILS number is not valid: check its digits (XXX-XXX-XXX YY)."));
            return FALSE;
          }
        if (r->kdn_informed_on != NULL && strcmp (r->kdn_informed_on, today) > 0)
          {
            stp_set_field_error (error, "kdn_informed_on",
                                 _("The date is in the future. Check the date."));
            return FALSE;
          }
      }
      break;
    case STP_KIND_RELATIVE:
      {
        const StpRelative *r = record;
        if (r->birth_date != NULL && strcmp (r->birth_date, today) > 0)
          {
            stp_set_field_error (error, "birth_date",
                                 _("The date of birth is in the future. Check the date."));
            return FALSE;
          }
        if (r->phone != NULL && *r->phone != '\0')
          {
            g_autofree char *n = stp_normalize_phone (r->phone);
            if (n == NULL)
              {
                stp_set_field_error (error, "phone",
                                     _("The phone number is not valid. Enter it as +7 XXX XXX-XX-XX."));
                return FALSE;
              }
          }
      }
      break;
    case STP_KIND_EPISODE:
      {
        const StpEpisode *e = record;
        if (!check_order (e->admitted_on, e->discharged_on, "discharged_on",
                          _("The discharge date is before the admission date."), error))
          return FALSE;
      }
      break;
    case STP_KIND_STAGE_ENTRY:
      {
        const StpStageEntry *s = record;
        if (!check_order (s->started_on, s->ended_on, "ended_on",
                          _("The stage ends before it starts."), error))
          return FALSE;
      }
      break;
    case STP_KIND_CONSENT:
      {
        const StpConsent *c = record;
        if (!check_order (c->signed_on, c->expires_on, "expires_on",
                          _("The consent expires before it was signed."), error))
          return FALSE;
        if (!check_order (c->signed_on, c->withdrawn_on, "withdrawn_on",
                          _("The consent is withdrawn before it was signed."), error))
          return FALSE;
        if (c->kind == STP_CONSENT_TRANSFER && (c->recipient == NULL || *c->recipient == '\0'))
          {
            stp_set_field_error (error, "recipient",
                                 _("Name the recipient of the transferred data."));
            return FALSE;
          }
      }
      break;
    case STP_KIND_STAGE:
      {
        const StpStage *s = record;
        if (s->planned_days_max != 0 && s->planned_days_max < s->planned_days_min)
          {
            stp_set_field_error (error, "planned_days_max",
                                 _("The planned maximum is less than the minimum."));
            return FALSE;
          }
      }
      break;
    case STP_KIND_REFERRAL:
      {
        const StpReferral *r = record;
        if (!check_order (r->sent_on, r->response_on, "response_on",
                          _("The answer is dated before the referral was sent."), error))
          return FALSE;
      }
      break;
    default:
      break;
    }

  return TRUE;
}

gboolean
stp_record_validate (StpRecordKind  kind,
                     gconstpointer  record,
                     GError       **error)
{
  return stp_record_validate_at (kind, record, NULL, error);
}
