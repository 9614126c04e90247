/* fuzz-sync-reply: a regional server's answer as the sync engine reads it
 * (stp-sync-replies.h), from a hostile server or one in the middle before
 * the certificate is pinned.  The first byte chooses the endpoint ("i"
 * info, "c" enrollment check, "e" enrollment, "k" key, "p" pull after
 * seq 5, "u" push, "l" snapshots/latest; any other byte modulo 7), the
 * rest is the body, parsed as the client parses it.  What a reader
 * accepts must keep the promises the engine relies on, or it aborts. */
#include "config.h"

#include "fuzz-common.h"

#include "stp-envelope.h"
#include "stp-protocol.h"
#include "stp-sync-replies.h"
#include "stp-wrapped-key.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define CURSOR 5

static void
read_pull (JsonObject *object)
{
  JsonArray *envelopes = NULL;
  gint64 last_seq = -1, prev = CURSOR;
  gboolean more = FALSE;

  if (!stp_sync_read_pull_page (object, CURSOR, &envelopes, &last_seq, &more, NULL))
    return;
  for (guint i = 0; i < json_array_get_length (envelopes); i++)
    {
      JsonObject *item = json_array_get_object_element (envelopes, i);
      gint64 seq = json_node_get_int (json_object_get_member (item, "seq"));
      g_autoptr(StpEnvelope) envelope = stp_envelope_from_json_node (json_object_get_member (item, "envelope"),
                                                                     NULL);

      g_assert_cmpint (seq, >, prev);
      prev = seq;
    }
  g_assert_cmpint (last_seq, ==, prev);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char endpoints[] = "icekpul";
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  char endpoint;

  if (size < 1)
    return 0;
  endpoint = strchr (endpoints, data[0]) != NULL && data[0] != '\0'
             ? (char) data[0] : endpoints[data[0] % 7];
  root = stp_json_parse ((const char *) data + 1, size - 1, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  object = json_node_get_object (root);

  switch (endpoint)
    {
    case 'i':
      {
        StpSyncInfo info;

        if (stp_sync_read_info (object, &info, NULL))
          g_assert_true (info.server_millis >= 0 && info.max_body_bytes >= 0);
      }
      break;
    case 'c':
    case 'e':
      {
        StpSyncEnrollment e;

        if (stp_sync_read_enrollment (object, endpoint == 'c', &e, NULL))
          {
            g_assert_true (stp_is_valid_id (e.center));
            g_assert_true (endpoint == 'c' || (stp_is_valid_id (e.device) && stp_is_valid_id (e.token)));
            if (e.wrapped_key != NULL)
              {
                g_autoptr(StpWrappedKey) key = stp_wrapped_key_from_json (e.wrapped_key, -1, NULL);
              }
            stp_sync_enrollment_clear (&e);
          }
      }
      break;
    case 'k':
      {
        g_autofree char *json = NULL;

        stp_sync_read_wrapped_key (object, &json, NULL);
      }
      break;
    case 'p':
      read_pull (object);
      break;
    case 'u':
      {
        const char *code = NULL;
        gint64 seq = -1;

        if (stp_sync_read_push_result (object, &code, &seq, NULL))
          g_assert_true (code != NULL || seq >= 0);
      }
      break;
    case 'l':
      {
        StpSyncLatest latest;

        if (stp_sync_read_latest (object, &latest, NULL))
          {
            g_assert_true (!latest.have || (stp_is_valid_id (latest.id) && latest.seq <= latest.head &&
                                            latest.chunks >= 1));
          }
        stp_sync_latest_clear (&latest);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return 0;
}
