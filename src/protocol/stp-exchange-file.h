/* stp-exchange-file.h: a file of sealed change batches, carried on a USB
 * stick between computers of one center and the regional server
 * (docs/PROTOCOL.md, "Exchange files").
 *
 * It holds the same envelopes the server relays, so it is useless without
 * the center key; the server reads and writes it without opening one.
 * One line each, UTF-8 JSON:
 *
 *   {"center":"…","created":<ms>,"format":1,"from":"…","stupeni":"exchange"}
 *   {"envelope":{…},"seq":N}                 (seq 0: not from a server)
 *   …
 *   {"blake2b":"<hex of every byte above>","count":N,"end":true}
 *
 * A reader checks the whole file (the hash, the count, every envelope, the
 * center) before it hands out a single envelope, so a damaged, cut short or
 * foreign file is refused with nothing applied. */
#pragma once

#include "stp-envelope.h"

G_BEGIN_DECLS

#define STP_EXCHANGE_FORMAT  1
#define STP_EXCHANGE_SUFFIX  ".stupeni-obmen"

typedef struct _StpExchangeWriter StpExchangeWriter;

/* Writes to a temporary name beside @path; nothing is at @path until
 * stp_exchange_writer_finish() succeeded. */
StpExchangeWriter *stp_exchange_writer_new      (const char         *path,
                                                 const char         *center,
                                                 const char         *from,
                                                 GError            **error);
/* @envelope_json: an envelope as the server stores it (canonical JSON). */
gboolean           stp_exchange_writer_add_json (StpExchangeWriter  *writer,
                                                 const char         *envelope_json,
                                                 gint64              seq,
                                                 GError            **error);
gboolean           stp_exchange_writer_add      (StpExchangeWriter  *writer,
                                                 const StpEnvelope  *envelope,
                                                 gint64              seq,
                                                 GError            **error);
guint              stp_exchange_writer_get_count (StpExchangeWriter *writer);
gboolean           stp_exchange_writer_finish   (StpExchangeWriter  *writer,
                                                 GError            **error);
/* Removes the temporary file unless finished. */
void               stp_exchange_writer_free     (StpExchangeWriter  *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpExchangeWriter, stp_exchange_writer_free)

typedef struct
{
  char   *center;
  char   *from;
  gint64  created;   /* ms since the epoch */
  guint   count;
  gint64  first_seq; /* 0 when the file holds no seqs */
  gint64  last_seq;
  gboolean contiguous; /* the seqs follow each other without a gap */
} StpExchangeInfo;

void stp_exchange_info_free (StpExchangeInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpExchangeInfo, stp_exchange_info_free)

/* Called for each envelope in file order; FALSE (with @error) stops. */
typedef gboolean (*StpExchangeFunc) (const StpEnvelope  *envelope,
                                     const char         *envelope_json,
                                     gint64              seq,
                                     gpointer            user_data,
                                     GError            **error);

/* Reads @path twice: first it checks everything (the envelopes' form, the
 * hash, the count; @center when not NULL; and @check on each envelope),
 * then, only when all of that passed, calls @apply on each envelope.
 * Errors: STP_PROTOCOL_ERROR_INVALID (not an exchange file, damaged or cut
 * short, another center), STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION (a newer
 * format), or what a callback set. */
StpExchangeInfo *stp_exchange_file_read (const char       *path,
                                         const char       *center,
                                         StpExchangeFunc   check,
                                         StpExchangeFunc   apply,
                                         gpointer          user_data,
                                         GError          **error);

G_END_DECLS
