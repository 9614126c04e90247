/* stp-wrapped-key.h: the center data key, wrapped by the center passphrase. */
#pragma once

#include "stp-protocol.h"

G_BEGIN_DECLS

#define STP_CENTER_KEY_BYTES   32
#define STP_WRAPPED_KEY_SALT_BYTES  16
#define STP_WRAPPED_KEY_CHECK_BYTES 16

typedef struct
{
  char    *key_id;
  guint8   salt[STP_WRAPPED_KEY_SALT_BYTES];
  guint8   nonce[24];
  guint8   wrapped[STP_CENTER_KEY_BYTES + 16];  /* key + Poly1305 tag */
  guint8   check[STP_WRAPPED_KEY_CHECK_BYTES];
  guint64  ops;
  guint64  mem;
} StpWrappedKey;

/* Default argon2id costs (libsodium INTERACTIVE); tests may pass the MIN ones. */
guint64        stp_wrapped_key_default_ops  (void);
guint64        stp_wrapped_key_default_mem  (void);
guint64        stp_wrapped_key_min_ops      (void);
guint64        stp_wrapped_key_min_mem      (void);

void           stp_center_key_generate      (guint8              *key);

StpWrappedKey *stp_wrapped_key_wrap         (const char          *key_id,
                                             const guint8        *key,
                                             const char          *passphrase,
                                             guint64              ops,
                                             guint64              mem,
                                             GError             **error);
gboolean       stp_wrapped_key_unwrap       (const StpWrappedKey *wrapped,
                                             const char          *passphrase,
                                             guint8              *key_out,
                                             GError             **error);
void           stp_wrapped_key_free         (StpWrappedKey       *wrapped);

JsonNode      *stp_wrapped_key_to_json_node (const StpWrappedKey *wrapped);
char          *stp_wrapped_key_to_json      (const StpWrappedKey *wrapped);
StpWrappedKey *stp_wrapped_key_from_json_node (JsonNode          *node,
                                             GError             **error);
StpWrappedKey *stp_wrapped_key_from_json    (const char          *json,
                                             gssize               len,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpWrappedKey, stp_wrapped_key_free)

G_END_DECLS
