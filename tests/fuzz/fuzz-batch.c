/* fuzz-batch: a decrypted change batch as another device could send it,
 * in format 1 (JSON), format 2 (the compact text) or compressed. */
#include "config.h"

#include "fuzz-common.h"

#include "stp-sync-batch.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) changes = stp_sync_batch_decode (data, size, NULL);

  return 0;
}
