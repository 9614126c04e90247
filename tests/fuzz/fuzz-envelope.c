/* fuzz-envelope: any bytes as the JSON the server and the program read:
 * the bounded parser, the canonical form, envelopes and wrapped keys. */
#include "config.h"

#include "fuzz-common.h"

#include "stp-envelope.h"
#include "stp-wrapped-key.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(StpEnvelope) envelope = NULL;
  g_autoptr(StpWrappedKey) key = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *again = NULL;

  node = stp_json_parse ((const char *) data, size, NULL);
  if (node == NULL)
    return 0;

  /* The canonical form parses back to itself. */
  canonical = stp_json_canonicalize (node);
  {
    g_autoptr(JsonNode) reparsed = stp_json_parse (canonical, strlen (canonical), NULL);

    if (reparsed != NULL)
      {
        again = stp_json_canonicalize (reparsed);
        if (strcmp (canonical, again) != 0)
          __builtin_trap ();
      }
  }

  envelope = stp_envelope_from_json_node (node, NULL);
  if (envelope != NULL)
    {
      g_autofree char *text = stp_envelope_to_json (envelope);
      g_autoptr(StpEnvelope) back = stp_envelope_from_json (text, -1, NULL);
      guint8 zero_key[STP_ENVELOPE_KEY_BYTES] = { 0 };
      g_autoptr(GBytes) plain = NULL;

      if (back == NULL)
        __builtin_trap ();
      plain = stp_envelope_open (envelope, zero_key, NULL);
    }
  key = stp_wrapped_key_from_json_node (node, NULL);
  return 0;
}
