/* stp-sync-engine-enroll.c: enrolling this device with the regional server
 * (an enrollment code for a device token) and getting the center key: the
 * first device of a center makes it, later ones unwrap the server's copy
 * with the center passphrase.  The passphrase is tried on the key the
 * server shows for the code before the code is used ("check"), so a wrong
 * one leaves the code usable and no device on the server.  Nothing is
 * saved unless all of it worked. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine-private.h"
#include "stp-sync-store.h"
#include "stp-sync-replies.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <string.h>

/* One enrollment, made on the main thread, done on a worker. */
typedef struct
{
  StpSyncClient *client;
  /* Inputs. */
  char          *url;
  char          *code;
  char          *passphrase;
  gboolean       fast_kdf;
  /* Inputs on a retry after a wrong passphrase, outputs otherwise. */
  char          *center;
  char          *device;
  char          *token;
  gint64         device_number;    /* 0 from an older server */
  char          *fingerprint;      /* NULL: trust on first use */
  /* Outputs. */
  char          *center_name;
  char          *wrapped_json;
  char          *key_id;
  guint8         key[STP_CENTER_KEY_BYTES];
} EnrollJob;

/* A wrong passphrase after the code was used: the token is kept in memory
 * only, so that a second try needs no new code. */
typedef struct
{
  char *url;
  char *code;
  char *center;
  char *device;
  char *token;
  char *fingerprint;
  gint64 device_number;
} PendingEnroll;

#define PENDING_ENROLL_KEY "stp-pending-enroll"

static void
enroll_job_free (EnrollJob *job)
{
  g_clear_object (&job->client);
  g_free (job->url);
  g_free (job->code);
  if (job->passphrase != NULL)
    sodium_memzero (job->passphrase, strlen (job->passphrase));
  g_free (job->passphrase);
  g_free (job->center);
  g_free (job->device);
  g_free (job->token);
  g_free (job->fingerprint);
  g_free (job->center_name);
  g_free (job->wrapped_json);
  g_free (job->key_id);
  sodium_memzero (job->key, sizeof job->key);
  g_free (job);
}

static void
pending_enroll_free (PendingEnroll *p)
{
  g_free (p->url);
  g_free (p->code);
  g_free (p->center);
  g_free (p->device);
  g_free (p->token);
  g_free (p->fingerprint);
  g_free (p);
}

/* --- On the worker ------------------------------------------------------------- */

/* Takes the members of an enrollment answer (stp_sync_read_enrollment());
 * nothing of it when one is wrong. */
static gboolean
read_enroll_reply (EnrollJob           *job,
                   const StpSyncReply  *reply,
                   gboolean             check,
                   GError             **error)
{
  StpSyncEnrollment e;

  if (!stp_sync_read_enrollment (json_node_get_object (reply->json), check, &e, error))
    return FALSE;
  g_free (job->center);
  job->center = g_steal_pointer (&e.center);
  g_free (job->center_name);
  job->center_name = g_steal_pointer (&e.center_name);
  if (!check)
    {
      g_free (job->device);
      job->device = g_steal_pointer (&e.device);
      g_free (job->token);
      job->token = g_steal_pointer (&e.token);
      job->device_number = e.device_number;
    }
  g_free (job->wrapped_json);
  job->wrapped_json = g_steal_pointer (&e.wrapped_key);
  stp_sync_enrollment_clear (&e);
  return TRUE;
}

/* POST /v1/enroll with the code and this computer's name; @check asks
 * only about the code, without using it up. */
static gboolean
post_enroll (EnrollJob     *job,
             gboolean       check,
             StpSyncReply  *reply,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, job->code);
  json_builder_set_member_name (builder, "device_name");
  json_builder_add_string_value (builder, g_get_host_name ());
  if (check)
    {
      json_builder_set_member_name (builder, "check");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  return stp_sync_client_request (job->client, SOUP_METHOD_POST, "/v1/enroll", body, strlen (body),
                                  reply, cancellable, error);
}

/* Trades the code for a device id and token (and the wrapped key, when
 * the center has one). */
static gboolean
register_device (EnrollJob     *job,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  StpSyncReply reply;

  if (!post_enroll (job, FALSE, &reply, cancellable, error))
    return FALSE;
  if (!stp_sync_reply_is_ok_object (&reply))
    {
      stp_sync_reply_set_error (&reply, error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  /* After a checked code, the key checked is in @wrapped_json already:
   * replaced by what this answer says. */
  if (!read_enroll_reply (job, &reply, FALSE, &local_error))
    {
      stp_sync_set_unexpected (error, _("The server answered the enrollment in an unexpected form"),
                               local_error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  stp_sync_reply_clear (&reply);
  stp_sync_client_set_token (job->client, job->token);
  return TRUE;
}

/* Asks the server about the code without using it up ("check": true):
 * the center and its wrapped key, if it has one.  *@checked is FALSE when
 * the server is too old to know the question (it refuses the member with
 * a 400): then the code is traded at once, as before. */
static gboolean
check_code (EnrollJob     *job,
            gboolean      *checked,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  StpSyncReply reply;

  *checked = FALSE;
  if (!post_enroll (job, TRUE, &reply, cancellable, error))
    return FALSE;
  if (reply.status == SOUP_STATUS_BAD_REQUEST)
    {
      stp_sync_reply_clear (&reply);
      return TRUE;
    }
  if (!stp_sync_reply_is_ok_object (&reply))
    {
      stp_sync_reply_set_error (&reply, error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  /* Nothing is kept of an answer in another form: the center read here
   * is replaced by the one the enrollment itself gives. */
  if (!read_enroll_reply (job, &reply, TRUE, &local_error))
    {
      stp_sync_set_unexpected (error, _("The server answered the enrollment in an unexpected form"),
                               local_error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  *checked = TRUE;
  stp_sync_reply_clear (&reply);
  return TRUE;
}

/* GET of the center's wrapped key; @must_answer: anything but a 200 with
 * an object is an error (else it only leaves the key unknown). */
static gboolean
fetch_wrapped_key (EnrollJob     *job,
                   const char    *key_path,
                   gboolean       must_answer,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  StpSyncReply reply;

  if (!stp_sync_client_request (job->client, SOUP_METHOD_GET, key_path, NULL, 0, &reply,
                                cancellable, error))
    return FALSE;
  if (!stp_sync_reply_is_ok_object (&reply))
    {
      if (must_answer)
        stp_sync_reply_set_error (&reply, error);
      stp_sync_reply_clear (&reply);
      return !must_answer;
    }
  g_clear_pointer (&job->wrapped_json, g_free);
  if (!stp_sync_read_wrapped_key (json_node_get_object (reply.json), &job->wrapped_json,
                                  &local_error))
    {
      stp_sync_set_unexpected (error, _("The server answered the enrollment in an unexpected form"),
                               local_error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  stp_sync_reply_clear (&reply);
  return TRUE;
}

/* The first device of the center makes the key and stores it wrapped;
 * when another device was first, its key is fetched instead.  *@made
 * tells which. */
static gboolean
create_center_key (EnrollJob     *job,
                   const char    *key_path,
                   gboolean      *made,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *key_id = g_uuid_string_random ();
  g_autofree char *wrapped_text = NULL;
  g_autoptr(StpWrappedKey) wrapped = NULL;
  StpSyncReply reply;
  guint status;

  *made = FALSE;
  stp_center_key_generate (job->key);
  wrapped = stp_wrapped_key_wrap (key_id, job->key, job->passphrase,
                                  job->fast_kdf ? stp_wrapped_key_min_ops () : stp_wrapped_key_default_ops (),
                                  job->fast_kdf ? stp_wrapped_key_min_mem () : stp_wrapped_key_default_mem (),
                                  error);
  if (wrapped == NULL)
    return FALSE;
  wrapped_text = stp_wrapped_key_to_json (wrapped);
  if (!stp_sync_client_request (job->client, SOUP_METHOD_PUT, key_path, wrapped_text,
                                strlen (wrapped_text), &reply, cancellable, error))
    return FALSE;
  status = reply.status;
  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_CONFLICT)
    stp_sync_reply_set_error (&reply, error);
  stp_sync_reply_clear (&reply);
  if (status == SOUP_STATUS_OK)
    {
      job->wrapped_json = g_steal_pointer (&wrapped_text);
      job->key_id = g_strdup (wrapped->key_id);
      *made = TRUE;
      return TRUE;
    }
  if (status != SOUP_STATUS_CONFLICT)
    return FALSE;
  /* Another device was first: use its key. */
  if (!fetch_wrapped_key (job, key_path, FALSE, cancellable, error))
    return FALSE;
  if (job->wrapped_json == NULL)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The server has no center key"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
unwrap_center_key (EnrollJob  *job,
                   GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(StpWrappedKey) wrapped = stp_wrapped_key_from_json (job->wrapped_json, -1, &local_error);

  if (wrapped == NULL)
    {
      stp_sync_set_unexpected (error, _("The server answered the enrollment in an unexpected form"),
                               local_error);
      return FALSE;
    }
  if (!stp_wrapped_key_unwrap (wrapped, job->passphrase, job->key, &local_error))
    {
      if (g_error_matches (local_error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_WRONG_PASSPHRASE))
        g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_WRONG_PASSPHRASE,
                             _("The center passphrase is wrong; nothing was changed"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  job->key_id = g_strdup (wrapped->key_id);
  return TRUE;
}

static gboolean
enroll_steps (EnrollJob     *job,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *key_path = NULL;
  gboolean made = FALSE;

  if (!stp_sync_client_fetch_info (job->client, NULL, cancellable, error))
    return FALSE;
  if (job->fingerprint == NULL)
    job->fingerprint = g_strdup (stp_sync_client_get_fingerprint (job->client));
  if (job->token == NULL)
    {
      gboolean checked = FALSE;

      /* The passphrase is tried on the center's key before the code is
       * used: a wrong one changes nothing, here or on the server. */
      if (!check_code (job, &checked, cancellable, error))
        return FALSE;
      if (checked && job->wrapped_json != NULL)
        {
          g_autofree char *checked_key = g_steal_pointer (&job->wrapped_json);

          job->wrapped_json = g_strdup (checked_key);
          if (!unwrap_center_key (job, error))
            return FALSE;
          if (!register_device (job, cancellable, error))
            return FALSE;
          /* The same key as checked (the usual case): already unwrapped. */
          if (job->wrapped_json == NULL || g_str_equal (job->wrapped_json, checked_key))
            {
              g_free (job->wrapped_json);
              job->wrapped_json = g_steal_pointer (&checked_key);
              return TRUE;
            }
          g_clear_pointer (&job->key_id, g_free);
          return unwrap_center_key (job, error);
        }
      g_clear_pointer (&job->wrapped_json, g_free);
      if (!register_device (job, cancellable, error))
        return FALSE;
      key_path = g_strdup_printf ("/v1/centers/%s/key", job->center);
    }
  else
    {
      /* A retry after a wrong passphrase: the code is used up, the token
       * from the first attempt is still ours. */
      key_path = g_strdup_printf ("/v1/centers/%s/key", job->center);
      if (!fetch_wrapped_key (job, key_path, TRUE, cancellable, error))
        return FALSE;
    }
  if (job->wrapped_json == NULL)
    {
      if (!create_center_key (job, key_path, &made, cancellable, error))
        return FALSE;
      if (made)
        return TRUE;
    }
  return unwrap_center_key (job, error);
}

static void
enroll_thread (GTask         *task,
               gpointer       source,
               gpointer       task_data,
               GCancellable  *cancellable)
{
  GError *error = NULL;

  if (enroll_steps (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* --- On the main thread ------------------------------------------------------- */

/* The device code in file numbers: from the device number the server gave
 * (unique in the center).  An older server gives none: then two characters
 * from the server's device id, which two devices may share. */
static char *
device_code_for (const char *device,
                 gint64      number)
{
  static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  guint hash = g_str_hash (device);
  char code[3];

  if (number > 0 && number <= STP_DEVICE_NUMBER_MAX)
    return stp_device_code_for_number (number);
  if (number > STP_DEVICE_NUMBER_MAX)
    /* The server's number, so not a warning (a GLib warning is for bugs). */
    g_message ("Device number %" G_GINT64_FORMAT " has no device code; one is made from the device id",
               number);

  code[0] = alphabet[hash % 32];
  code[1] = alphabet[(hash / 32) % 32];
  code[2] = '\0';
  return g_strdup (code);
}

static void
keep_pending (StpSyncEngine *self,
              EnrollJob     *job)
{
  PendingEnroll *p;

  if (job->token == NULL || job->center == NULL || job->device == NULL)
    return;
  p = g_new0 (PendingEnroll, 1);
  p->url = g_strdup (job->url);
  p->code = g_strdup (job->code);
  p->center = g_strdup (job->center);
  p->device = g_strdup (job->device);
  p->token = g_strdup (job->token);
  p->fingerprint = g_strdup (job->fingerprint);
  p->device_number = job->device_number;
  g_object_set_data_full (G_OBJECT (self), PENDING_ENROLL_KEY, p,
                          (GDestroyNotify) pending_enroll_free);
}

/* Writes what enrollment got into the local settings. */
static gboolean
save_enrollment (StpStore   *store,
                 EnrollJob  *job,
                 GError    **error)
{
  g_autofree char *key_text = stp_base64_encode (job->key, sizeof job->key);
  g_autofree char *device_code = device_code_for (job->device, job->device_number);
  g_autofree char *device_number = job->device_number > 0
                                   ? g_strdup_printf ("%" G_GINT64_FORMAT, job->device_number)
                                   : g_strdup ("");
  gboolean ok;

  ok = stp_store_set_setting (store, SETTING_URL, job->url, error)
       && stp_store_set_setting (store, SETTING_CENTER, job->center, error)
       && stp_store_set_setting (store, SETTING_CENTER_NAME, job->center_name ? job->center_name : "", error)
       && stp_store_set_setting (store, SETTING_DEVICE, job->device, error)
       && stp_store_set_setting (store, SETTING_DEVICE_NUMBER, device_number, error)
       && stp_store_set_setting (store, SETTING_TOKEN, job->token, error)
       && stp_store_set_setting (store, SETTING_WRAPPED_KEY, job->wrapped_json, error)
       && stp_store_set_setting (store, SETTING_KEY_ID, job->key_id, error)
       && stp_store_set_setting (store, SETTING_FINGERPRINT, job->fingerprint ? job->fingerprint : "", error)
       && stp_store_set_setting (store, SETTING_KEY, key_text, error)
       && stp_sync_store_set_cursor (store, CURSOR_KEY, 0, error)
       && stp_store_set_device_code (store, device_code, error);
  sodium_memzero (key_text, strlen (key_text));
  return ok;
}

static void
enroll_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (source);
  GTask *outer = user_data;
  EnrollJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  _stp_sync_engine_take_skew (self, job->client);
  if (self->store == NULL && g_task_propagate_boolean (G_TASK (result), &error))
    g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, _("The database is closed"));
  if (error != NULL || !g_task_propagate_boolean (G_TASK (result), &error))
    {
      keep_pending (self, job);
      _stp_sync_engine_set_state (self, STP_SYNC_STATE_ERROR);
      _stp_sync_engine_set_last_error (self, error->message);
      g_task_return_error (outer, g_steal_pointer (&error));
      g_object_unref (outer);
      return;
    }
  g_object_set_data (G_OBJECT (self), PENDING_ENROLL_KEY, NULL);
  if (!save_enrollment (self->store, job, &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      g_object_unref (outer);
      return;
    }
  _stp_sync_engine_set_enrolled (self);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

/* A SHA-256 fingerprint is 32 bytes: a typo would otherwise show up as a
 * server with the wrong certificate. */
static gboolean
fingerprint_is_valid (const char *fingerprint)
{
  g_autofree char *digits = stp_sync_normalize_fingerprint (fingerprint);

  for (const char *p = fingerprint; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != ':' && *p != ' ')
      return FALSE;
  return strlen (digits) == 64;
}

/* "host/" -> "https://host". */
static char *
normalize_url (const char *server_url)
{
  char *url = g_strstrip (g_strdup (server_url));

  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  if (!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      char *with_scheme = g_strconcat ("https://", url, NULL);
      g_free (url);
      url = with_scheme;
    }
  return url;
}

static EnrollJob *
enroll_job_new (StpSyncEngine *self,
                const char    *server_url,
                const char    *code,
                const char    *passphrase,
                const char    *fingerprint)
{
  EnrollJob *job = g_new0 (EnrollJob, 1);
  PendingEnroll *pending;

  job->url = normalize_url (server_url);
  job->code = g_strstrip (g_strdup (code));
  job->passphrase = g_strdup (passphrase);
  job->fingerprint = fingerprint && *fingerprint ? stp_sync_normalize_fingerprint (fingerprint) : NULL;
  job->fast_kdf = self->fast_kdf;
  pending = g_object_get_data (G_OBJECT (self), PENDING_ENROLL_KEY);
  if (pending != NULL && g_str_equal (pending->url, job->url) && g_str_equal (pending->code, job->code))
    {
      job->center = g_strdup (pending->center);
      job->device = g_strdup (pending->device);
      job->token = g_strdup (pending->token);
      job->device_number = pending->device_number;
      if (job->fingerprint == NULL)
        job->fingerprint = g_strdup (pending->fingerprint);
    }
  job->client = stp_sync_client_new (job->url, job->token, job->fingerprint, self->tls_database,
                                     self->store ? stp_store_now (self->store) - g_get_real_time () : 0);
  return job;
}

void
stp_sync_engine_enroll_async (StpSyncEngine       *self,
                              const char          *server_url,
                              const char          *code,
                              const char          *passphrase,
                              const char          *fingerprint,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (server_url != NULL && code != NULL && passphrase != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, stp_sync_engine_enroll_async);
  if (self->running)
    {
      g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_BUSY,
                               _("A synchronization is already running"));
      g_object_unref (outer);
      return;
    }
  if (*passphrase == '\0')
    {
      g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_WRONG_PASSPHRASE,
                               _("Enter the center passphrase"));
      g_object_unref (outer);
      return;
    }
  if (fingerprint != NULL && *fingerprint != '\0' && !fingerprint_is_valid (fingerprint))
    {
      g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                               _("The certificate fingerprint must be 64 hexadecimal digits "
                                 "(in pairs, separated by “:”), as the server printed it"));
      g_object_unref (outer);
      return;
    }

  self->running = TRUE;
  _stp_sync_engine_set_state (self, STP_SYNC_STATE_SYNCING);
  task = g_task_new (self, cancellable, enroll_done, outer);
  g_task_set_task_data (task,
                        enroll_job_new (self, server_url, code, passphrase, fingerprint),
                        (GDestroyNotify) enroll_job_free);
  g_task_run_in_thread (task, enroll_thread);
}

gboolean
stp_sync_engine_enroll_finish (StpSyncEngine  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
