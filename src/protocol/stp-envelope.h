/* stp-envelope.h: the encrypted change batch the server relays. */
#pragma once

#include "stp-protocol.h"

G_BEGIN_DECLS

#define STP_ENVELOPE_MAX_ID_LEN     64                  /* center, device, msg_id, key_id */
#define STP_ENVELOPE_MAX_SCHEMA     1000000
#define STP_ENVELOPE_NONCE_BYTES    24
#define STP_ENVELOPE_KEY_BYTES      32
#define STP_ENVELOPE_MAX_CT_BYTES   (6 * 1024 * 1024)   /* decoded ciphertext */

typedef struct
{
  char    *center;
  char    *device;
  char    *msg_id;
  guint64  hlc;
  gint64   schema;
  char    *key_id;
  guint8   nonce[STP_ENVELOPE_NONCE_BYTES];
  GBytes  *ct;                                          /* owned, NULL until sealed */
} StpEnvelope;

StpEnvelope *stp_envelope_new             (const char        *center,
                                           const char        *device,
                                           const char        *msg_id,
                                           guint64            hlc,
                                           gint64             schema,
                                           const char        *key_id);
void         stp_envelope_free            (StpEnvelope       *envelope);
StpEnvelope *stp_envelope_copy            (const StpEnvelope *envelope);

JsonNode    *stp_envelope_to_json_node    (const StpEnvelope *envelope);
char        *stp_envelope_to_json         (const StpEnvelope *envelope);
StpEnvelope *stp_envelope_from_json_node  (JsonNode          *node,
                                           GError           **error);
StpEnvelope *stp_envelope_from_json       (const char        *json,
                                           gssize             len,
                                           GError           **error);

/* The canonical serialization of the header fields (everything but nonce
 * and ct) that is authenticated as additional data. */
char        *stp_envelope_header_canonical (const StpEnvelope *envelope);

gboolean     stp_envelope_seal            (StpEnvelope       *envelope,
                                           const guint8      *key,
                                           const guint8      *plaintext,
                                           gsize              len,
                                           GError           **error);
GBytes      *stp_envelope_open            (const StpEnvelope *envelope,
                                           const guint8      *key,
                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpEnvelope, stp_envelope_free)

G_END_DECLS
