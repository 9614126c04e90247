/* stp-report-layout-private.h: what stp-report-layout.c (building the
 * blocks, drawing) and stp-report-layout-paginate.c (pagination) share.
 * Only for src/report. */
#pragma once

#include <pango/pangocairo.h>

#include "stp-report-layout.h"

G_BEGIN_DECLS

/* Margins in points: 20 mm left, 15 mm right, room for header/footer. */
#define MARGIN_LEFT    56.0
#define MARGIN_RIGHT   42.0
#define MARGIN_TOP     60.0
#define MARGIN_BOTTOM  62.0
#define HEADER_Y       28.0
#define CELL_PADDING    3.0
#define FONT_FAMILY    "DejaVu Sans"

typedef enum
{
  STYLE_TITLE,
  STYLE_HEADING,
  STYLE_BODY,
  STYLE_NOTE,
  STYLE_CELL,
  STYLE_CELL_BOLD,
  STYLE_TABLE_HEADER,
  STYLE_FOOTER,
  N_STYLES
} TextStyle;

typedef enum
{
  BLOCK_TEXT,
  BLOCK_TABLE,
  BLOCK_SPACE,
  BLOCK_PAGE_BREAK,
  BLOCK_CHART,
} BlockType;

typedef struct
{
  BlockType  type;
  TextStyle  style;
  char      *text;
  double     space_before;
  double     space_after;
  gboolean   keep_with_next;
  /* Tables (key-value blocks are borderless two-column tables). */
  guint      n_columns;
  double    *widths;
  char     **headers;
  GPtrArray *rows;           /* of char ** (n_columns each) */
  gboolean   borders;
  gboolean   key_value;
  gboolean   open;           /* still accepting rows */
  StpChart  *chart;          /* BLOCK_CHART: a reference */
} Block;

typedef enum
{
  ITEM_LINE,
  ITEM_FILL,
  ITEM_STROKE,
  ITEM_CHART,
} ItemType;

typedef struct
{
  ItemType     type;
  PangoLayout *layout;       /* ITEM_LINE: a reference */
  StpChart    *chart;        /* ITEM_CHART: a reference */
  int          line;
  double       x;
  double       y;            /* baseline for lines, top for rectangles */
  double       width;
  double       height;
} Item;

struct _StpReportLayout
{
  GObject       parent_instance;

  char         *header;
  char         *footer;
  GPtrArray    *blocks;      /* of Block */
  PangoContext *context;
  PangoFontDescription *fonts[N_STYLES];

  /* Pagination. */
  GPtrArray    *pages;       /* of GArray of Item, or NULL when stale */
  double        width;
  double        height;
  double        y;           /* the cursor on the last page */
};

/* stp-report-layout.c */
void _stp_report_layout_item_clear (gpointer data);

void _stp_report_layout_invalidate (StpReportLayout *self);

/* stp-report-layout-paginate.c */
PangoLayout *_stp_report_layout_make_layout (StpReportLayout *self,
                                             TextStyle        style,
                                             const char      *text,
                                             double           width);

double _stp_report_layout_body_width (StpReportLayout *self);

G_END_DECLS
