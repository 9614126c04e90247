/* stp-sync-engine.c: the sync engine object: its settings, state and
 * properties, and automatic syncing (retries with backoff, the periodic
 * sync, network changes).  The other rooms are listed in
 * stp-sync-engine-private.h. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine-private.h"
#include "stp-sync-store.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#define BACKOFF_MAX_SECONDS  600

G_DEFINE_TYPE (StpSyncEngine, stp_sync_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (stp-sync-error-quark, stp_sync_error)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PENDING,
  PROP_LAST_SYNC,
  PROP_LAST_ERROR,
  PROP_CLOCK_SKEW,
  PROP_ENROLLED,
  PROP_SENT,
  PROP_RECEIVED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
stp_sync_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { STP_SYNC_STATE_IDLE, "STP_SYNC_STATE_IDLE", "idle" },
        { STP_SYNC_STATE_SYNCING, "STP_SYNC_STATE_SYNCING", "syncing" },
        { STP_SYNC_STATE_OFFLINE, "STP_SYNC_STATE_OFFLINE", "offline" },
        { STP_SYNC_STATE_ERROR, "STP_SYNC_STATE_ERROR", "error" },
        { 0, NULL, NULL }
      };
      GType id = g_enum_register_static ("StpSyncState", values);
      g_once_init_leave (&type_id, id);
    }
  return type_id;
}


/* --- State, seen from the other rooms -------------------------------------- */

void
_stp_sync_engine_set_state (StpSyncEngine *self,
                            StpSyncState   state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_stp_sync_engine_set_last_error (StpSyncEngine *self,
                                 const char    *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

void
_stp_sync_engine_set_pending (StpSyncEngine *self,
                              guint          pending)
{
  if (self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

void
_stp_sync_engine_set_progress (StpSyncEngine *self,
                               guint          sent,
                               guint          received)
{
  if (sent != self->sent)
    {
      self->sent = sent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENT]);
    }
  if (received != self->received)
    {
      self->received = received;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
    }
}

void
_stp_sync_engine_set_last_sync (StpSyncEngine *self,
                                gint64         last_sync)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, last_sync);

  self->last_sync = last_sync;
  stp_store_set_setting (self->store, SETTING_LAST_SYNC, text, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
}

void
_stp_sync_engine_take_skew (StpSyncEngine *self,
                            StpSyncClient *client)
{
  gint64 skew;

  if (stp_sync_client_get_skew (client, &skew) && skew != self->clock_skew)
    {
      self->clock_skew = skew;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOCK_SKEW]);
    }
}

/* --- Settings ------------------------------------------------------------------ */


static char *
get_setting (StpSyncEngine *self,
             const char    *key)
{
  char *value = stp_store_get_setting (self->store, key);

  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static void
load_settings (StpSyncEngine *self)
{
  g_autofree char *key = NULL;
  g_autofree char *last = NULL;

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->center, g_free);
  g_clear_pointer (&self->center_name, g_free);
  g_clear_pointer (&self->device, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  self->have_key = FALSE;

  self->url = get_setting (self, SETTING_URL);
  self->center = get_setting (self, SETTING_CENTER);
  self->center_name = get_setting (self, SETTING_CENTER_NAME);
  self->device = get_setting (self, SETTING_DEVICE);
  self->token = get_setting (self, SETTING_TOKEN);
  self->key_id = get_setting (self, SETTING_KEY_ID);
  self->fingerprint = get_setting (self, SETTING_FINGERPRINT);
  key = get_setting (self, SETTING_KEY);
  if (key != NULL)
    {
      g_autoptr(GBytes) bytes = stp_base64_decode (key, STP_CENTER_KEY_BYTES, NULL);

      if (bytes != NULL && g_bytes_get_size (bytes) == STP_CENTER_KEY_BYTES)
        {
          memcpy (self->key, g_bytes_get_data (bytes, NULL), STP_CENTER_KEY_BYTES);
          self->have_key = TRUE;
        }
      sodium_memzero (key, strlen (key));
    }
  last = get_setting (self, SETTING_LAST_SYNC);
  self->last_sync = last ? g_ascii_strtoll (last, NULL, 10) : 0;
}

gboolean
stp_sync_engine_is_enrolled (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), FALSE);

  return self->url != NULL && self->center != NULL && self->device != NULL
         && self->token != NULL && self->have_key && self->key_id != NULL;
}

gboolean
stp_sync_engine_needs_enrollment (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), TRUE);

  return self->revoked || !stp_sync_engine_is_enrolled (self);
}

void
_stp_sync_engine_set_enrolled (StpSyncEngine *self)
{
  load_settings (self);
  self->revoked = FALSE;
  _stp_sync_engine_set_last_error (self, NULL);
  _stp_sync_engine_set_state (self, STP_SYNC_STATE_IDLE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLED]);
}

StpSyncClient *
_stp_sync_engine_new_client (StpSyncEngine *self)
{
  return stp_sync_client_new (self->url, self->token, self->fingerprint, self->tls_database,
                              stp_store_now (self->store) - g_get_real_time ());
}

static StpStore *
get_connection (StpSyncEngine  *self,
                StpStore      **connection,
                GError        **error)
{
  if (self->store == NULL)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, _("The database is closed"));
      return NULL;
    }
  if (*connection == NULL)
    *connection = stp_store_open_secondary (self->store, error);
  return *connection;
}

StpStore *
_stp_sync_engine_get_secondary (StpSyncEngine  *self,
                                GError        **error)
{
  return get_connection (self, &self->secondary, error);
}

StpStore *
_stp_sync_engine_get_reader (StpSyncEngine  *self,
                             GError        **error)
{
  return get_connection (self, &self->reader, error);
}

/* --- Automatic syncing ------------------------------------------------------------ */

static gboolean
on_timer (gpointer user_data)
{
  StpSyncEngine *self = user_data;

  self->retry_id = 0;
  _stp_sync_engine_start_run (self, NULL);
  return G_SOURCE_REMOVE;
}

void
_stp_sync_engine_schedule_next (StpSyncEngine *self,
                                gboolean       failed,
                                const GError  *error)
{
  guint delay;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (!self->auto_sync)
    return;
  if (failed)
    {
      double seconds;

      /* Permanent until someone acts. */
      if (g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED)
          || g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED))
        return;
      self->failures = MIN (self->failures + 1, 16);
      seconds = MIN ((double) BACKOFF_MAX_SECONDS, (double) (1u << MIN (self->failures - 1, 10)));
      /* Jitter so that many centers do not retry in step. */
      seconds = MAX (1.0, seconds * g_random_double_range (0.5, 1.0));
      delay = (guint) (seconds * 1000);
    }
  else
    {
      self->failures = 0;
      if (self->interval == 0)
        return;
      delay = self->interval * 1000;
    }
  self->retry_id = g_timeout_add (delay, on_timer, self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  StpSyncEngine *self = user_data;
  gboolean was_up = self->network_up;

  self->network_up = available;
  if (available && !was_up && self->auto_sync && stp_sync_engine_is_enrolled (self))
    {
      self->failures = 0;
      _stp_sync_engine_start_run (self, NULL);
    }
  else if (!available && self->state == STP_SYNC_STATE_IDLE)
    _stp_sync_engine_set_state (self, STP_SYNC_STATE_OFFLINE);
}

void
stp_sync_engine_set_auto (StpSyncEngine *self,
                          gboolean       enabled,
                          guint          interval_seconds)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  self->auto_sync = enabled;
  self->interval = interval_seconds;
  if (enabled && self->monitor == NULL)
    {
      self->monitor = g_object_ref (g_network_monitor_get_default ());
      self->network_up = g_network_monitor_get_network_available (self->monitor);
      self->monitor_id = g_signal_connect (self->monitor, "network-changed",
                                           G_CALLBACK (on_network_changed), self);
    }
  if (enabled && !self->running && self->retry_id == 0 && stp_sync_engine_is_enrolled (self))
    self->retry_id = g_timeout_add (1000, on_timer, self);
  if (!enabled)
    g_clear_handle_id (&self->retry_id, g_source_remove);
}

/* --- GObject --------------------------------------------------------------- */

static void
stp_sync_engine_dispose (GObject *object)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (object);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->monitor_id, self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_object (&self->secondary);
  g_clear_object (&self->reader);
  g_clear_object (&self->tls_database);
  if (self->store != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->store), (gpointer *) &self->store);
      self->store = NULL;
    }
  G_OBJECT_CLASS (stp_sync_engine_parent_class)->dispose (object);
}

static void
stp_sync_engine_finalize (GObject *object)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (object);

  sodium_memzero (self->key, sizeof self->key);
  g_free (self->url);
  g_free (self->center);
  g_free (self->center_name);
  g_free (self->device);
  g_free (self->token);
  g_free (self->key_id);
  g_free (self->fingerprint);
  g_free (self->last_error);
  G_OBJECT_CLASS (stp_sync_engine_parent_class)->finalize (object);
}

static void
stp_sync_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_CLOCK_SKEW:
      g_value_set_int64 (value, self->clock_skew);
      break;
    case PROP_ENROLLED:
      g_value_set_boolean (value, stp_sync_engine_is_enrolled (self));
      break;
    case PROP_SENT:
      g_value_set_uint (value, self->sent);
      break;
    case PROP_RECEIVED:
      g_value_set_uint (value, self->received);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_sync_engine_class_init (StpSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stp_sync_engine_dispose;
  object_class->finalize = stp_sync_engine_finalize;
  object_class->get_property = stp_sync_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, STP_TYPE_SYNC_STATE, STP_SYNC_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNC] =
    g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOCK_SKEW] =
    g_param_spec_int64 ("clock-skew", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENROLLED] =
    g_param_spec_boolean ("enrolled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Changes the server stored from this computer, and changes received
   * from the others, in the running (or last) synchronization. */
  properties[PROP_SENT] =
    g_param_spec_uint ("sent", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECEIVED] =
    g_param_spec_uint ("received", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stp_sync_engine_init (StpSyncEngine *self)
{
  self->state = STP_SYNC_STATE_IDLE;
  self->pull_limit = 1000;
  self->snapshot_min_bytes = SNAPSHOT_MIN_BYTES;
  self->early_copy_min = EARLY_COPY_MIN_CHANGES;
  self->network_up = TRUE;
}

StpSyncEngine *
stp_sync_engine_new (StpStore *store)
{
  StpSyncEngine *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  if (sodium_init () < 0)
    g_warning ("libsodium could not be initialized");
  self = g_object_new (STP_TYPE_SYNC_ENGINE, NULL);
  self->store = store;
  g_object_add_weak_pointer (G_OBJECT (store), (gpointer *) &self->store);
  load_settings (self);
  self->pending = (guint) stp_sync_store_count_pending (store);
  self->parked_batches = (guint) stp_sync_store_count_parked_batches (store);
  return self;
}

StpSyncEngine *
stp_sync_engine_get_for_store (StpStore *store)
{
  StpSyncEngine *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_get_data (G_OBJECT (store), "stp-sync-engine");
  if (self == NULL)
    {
      self = stp_sync_engine_new (store);
      g_object_set_data_full (G_OBJECT (store), "stp-sync-engine", self, g_object_unref);
    }
  return self;
}

StpStore *
stp_sync_engine_get_store (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->store;
}

StpSyncState
stp_sync_engine_get_state (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), STP_SYNC_STATE_IDLE);
  return self->state;
}

/* Changes sent and received by the running synchronization so far (or by
 * the last one). */
void
stp_sync_engine_get_progress (StpSyncEngine *self,
                              guint         *sent,
                              guint         *received)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  if (sent != NULL)
    *sent = self->sent;
  if (received != NULL)
    *received = self->received;
}

guint
stp_sync_engine_get_pending (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->pending;
}

guint
stp_sync_engine_get_parked_batches (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->parked_batches;
}

gint64
stp_sync_engine_get_last_sync (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->last_sync;
}

const char *
stp_sync_engine_get_last_error (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->last_error;
}

gint64
stp_sync_engine_get_clock_skew (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->clock_skew;
}

const char *
stp_sync_engine_get_server_url (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->url;
}

const char *
stp_sync_engine_get_center_name (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->center_name;
}

void
stp_sync_engine_refresh_pending (StpSyncEngine *self)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  if (self->store != NULL)
    _stp_sync_engine_set_pending (self, (guint) stp_sync_store_count_pending (self->store));
}

void
stp_sync_engine_set_batch_bytes (StpSyncEngine *self,
                                 gsize          bytes)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->batch_bytes = bytes;
}

void
stp_sync_engine_set_snapshot_min_bytes (StpSyncEngine *self,
                                        gsize          min_bytes)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->snapshot_min_bytes = min_bytes;
}

void
stp_sync_engine_set_early_copy_min_changes (StpSyncEngine *self,
                                            guint          changes)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->early_copy_min = changes;
}

void
stp_sync_engine_set_pull_limit (StpSyncEngine *self,
                                guint          limit)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->pull_limit = MAX (limit, 1);
}

void
stp_sync_engine_set_fast_kdf (StpSyncEngine *self,
                              gboolean       fast)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->fast_kdf = fast;
}

void
stp_sync_engine_set_page_hook (StpSyncEngine   *self,
                               StpSyncPageHook  hook,
                               gpointer         user_data)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->hook = hook;
  self->hook_data = user_data;
}

void
stp_sync_engine_set_tls_database (StpSyncEngine *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));
  g_set_object (&self->tls_database, database);
}
