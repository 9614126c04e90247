/* stp-import.h: «Импорт из таблицы»: residents from a CSV file saved by
 * Excel or LibreOffice (docs/ARCHITECTURE.md, "Import from a table").
 *
 * Reading accepts UTF-8 (with or without a BOM) or Windows-1251, ';' or ','
 * between fields, quoted fields ("" for a quote, line breaks inside quotes)
 * and refuses, with a Russian message, a file too big, with too many rows
 * or columns, too long a field, a broken quote or binary content.  Checking
 * marks each row's problems (missing names, impossible dates, an unknown
 * sex, program or stage, a duplicate of a resident already in the database
 * or of an earlier row of the file); importing saves the good rows in one
 * transaction with an audit event, so that importing the same file twice
 * adds nothing the second time.
 */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

/* Bounds of a file read. */
#define STP_IMPORT_MAX_BYTES       (32 * 1024 * 1024)
#define STP_IMPORT_MAX_ROWS        50000
#define STP_IMPORT_MAX_COLUMNS     100
#define STP_IMPORT_MAX_FIELD_CHARS 2000

typedef enum
{
  STP_IMPORT_FIELD_NONE = 0,      /* the column is not imported */
  STP_IMPORT_FIELD_SURNAME,
  STP_IMPORT_FIELD_NAME,
  STP_IMPORT_FIELD_PATRONYMIC,
  STP_IMPORT_FIELD_FULL_NAME,     /* "Фамилия Имя Отчество" in one column */
  STP_IMPORT_FIELD_BIRTH_DATE,
  STP_IMPORT_FIELD_SEX,
  STP_IMPORT_FIELD_PHONE,
  STP_IMPORT_FIELD_FILE_NUMBER,
  STP_IMPORT_FIELD_ADMISSION_DATE,
  STP_IMPORT_FIELD_PROGRAM,
  STP_IMPORT_FIELD_STAGE,
  STP_IMPORT_FIELD_OUTCOME,
  STP_IMPORT_FIELD_DISCHARGE_DATE,
  STP_IMPORT_FIELD_RELATIVE_NAME,
  STP_IMPORT_FIELD_RELATIVE_RELATION,
  STP_IMPORT_FIELD_RELATIVE_PHONE,
  STP_IMPORT_N_FIELDS
} StpImportField;

typedef struct
{
  char      *encoding;    /* "UTF-8" or "WINDOWS-1251" */
  char       delimiter;   /* ';' or ',' */
  GPtrArray *header;      /* char *, the first line */
  GPtrArray *rows;        /* GStrv per line after the header (same length as header) */
  GArray    *lines;       /* guint: the line of the file each row starts on */
  char      *file_name;   /* basename, for the audit log; may be NULL */
} StpImportTable;

void            stp_import_table_free    (StpImportTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpImportTable, stp_import_table_free)

/* Parses @data (any encoding above); @file_name may be NULL. */
StpImportTable *stp_import_parse         (const char     *data,
                                          gsize           len,
                                          const char     *file_name,
                                          GError        **error);
StpImportTable *stp_import_read_file     (const char     *path,
                                          GError        **error);

/* The translated name of a field, for the mapping step. */
const char     *stp_import_field_label   (StpImportField  field);
/* A mapping guessed from the header (Russian and English names);
 * returns a new array of table->header->len fields. */
StpImportField *stp_import_guess_mapping (const StpImportTable *table);

/* A date in дд.мм.гггг, д.м.гг, гггг-мм-дд, дд/мм/гггг, дд-мм-гггг or an
 * Excel day number, as "YYYY-MM-DD"; NULL when it is not a real date. */
char           *stp_import_parse_date    (const char     *text);

typedef enum
{
  STP_IMPORT_ROW_OK = 0,
  STP_IMPORT_ROW_INVALID,             /* skipped: see problems */
  STP_IMPORT_ROW_DUPLICATE_EXISTING,  /* skipped: already in the database */
  STP_IMPORT_ROW_DUPLICATE_IN_FILE,   /* skipped: an earlier row is the same person */
} StpImportRowStatus;

typedef struct
{
  guint               line;       /* line of the file (the header is line 1) */
  StpImportRowStatus  status;
  char               *problems;   /* translated, "; "-separated; NULL when none */
  char               *warnings;   /* imported anyway (a similar resident exists) */
  char               *display;    /* "Фамилия Имя Отчество, дд.мм.гггг" */
  char               *resident_id; /* after stp_import_run: the new resident */
} StpImportRow;

void            stp_import_row_free      (StpImportRow *row);

/* Checks every row against the database without writing (the preview).
 * Director only.  StpImportRow items, one per row of @table. */
GPtrArray      *stp_import_check         (StpStore             *store,
                                          StpSession           *session,
                                          const StpImportTable *table,
                                          const StpImportField *mapping,
                                          GError              **error);

typedef struct
{
  guint imported;
  guint invalid;
  guint duplicates;   /* of existing residents and within the file */
} StpImportSummary;

/* Checks again and saves the good rows (resident, its episode with the
 * stage and outcome, its relative) in one transaction, with an audit event
 * "import" naming the file and the counts.  Nothing is saved on an error.
 * Returns the rows as checked (resident_id set for the imported ones). */
GPtrArray      *stp_import_run           (StpStore             *store,
                                          StpSession           *session,
                                          const StpImportTable *table,
                                          const StpImportField *mapping,
                                          StpImportSummary     *out_summary,
                                          GError              **error);
/* The rows as a CSV report (UTF-8 with a BOM, ';'), for «Сохранить отчёт». */
char           *stp_import_report_csv    (GPtrArray            *rows);

G_END_DECLS
