/* fuzz-snapshot: the snapshot manifest, a sealed chunk or manifest, and
 * the raw inflate the batch format uses.  The first byte picks which. */
#include "config.h"

#include "fuzz-common.h"

#include "stp-protocol.h"
#include "stp-snapshot.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const guint8 key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

  if (size < 1)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      {
        g_auto(StpSnapshotManifest) manifest = { 0 };

        if (stp_snapshot_manifest_from_json (&manifest, (const char *) data + 1, size - 1, NULL))
          {
            g_autofree char *json = stp_snapshot_manifest_to_json (&manifest);
            g_auto(StpSnapshotManifest) back = { 0 };

            if (!stp_snapshot_manifest_from_json (&back, json, strlen (json), NULL))
              __builtin_trap ();
          }
      }
      break;
    case 1:
      {
        gint64 index = size > 2 ? (gint64) data[1] - 2 : 0;
        g_autoptr(GBytes) plain = stp_snapshot_open (key, "center", "snapshot", index, 200,
                                                     data + 1, size - 1, NULL);
      }
      break;
    default:
      {
        g_autoptr(GBytes) out = stp_inflate (data + 1, size - 1, 1024 * 1024, NULL);

        if (out != NULL && g_bytes_get_size (out) > 1024 * 1024)
          __builtin_trap ();
      }
    }
  return 0;
}
