/* stp-query-private.h: what stp-query.c lends the other lists of records
 * across residents (stp-worklist.c).  Only for src/core. */
#pragma once

#include "stp-store-private.h"

G_BEGIN_DECLS

/* "t.id, t.created_at, t.updated_at, t.deleted, t.<field>..." of @kind. */
char     *stp_query_record_columns   (StpRecordKind  kind,
                                      const char    *alias);
/* A record of @kind read from the columns of stp_query_record_columns()
 * starting at @first (fields @session may not see are left empty);
 * *@out_next is the column after them. */
gpointer  stp_query_record_from_stmt (StpRecordKind  kind,
                                      StpSession    *session,
                                      sqlite3_stmt  *stmt,
                                      int            first,
                                      int           *out_next);
/* "Фамилия Имя Отчество" from three columns starting at @first. */
char     *stp_query_join_name        (sqlite3_stmt  *stmt,
                                      int            first);

G_END_DECLS
