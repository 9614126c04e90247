#define G_LOG_DOMAIN "stp-card-page"

#include "config.h"

#include "stp-card-page.h"

G_DEFINE_INTERFACE (StpCardPage, stp_card_page, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stp_card_page_default_init (StpCardPageInterface *iface)
{
  /**
   * StpCardPage::changed:
   *
   * The page saved something that other pages or the card's summary
   * strip show.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

void
stp_card_page_reload (StpCardPage *self)
{
  g_return_if_fail (STP_IS_CARD_PAGE (self));

  STP_CARD_PAGE_GET_IFACE (self)->reload (self);
}

void
stp_card_page_changed (StpCardPage *self)
{
  g_return_if_fail (STP_IS_CARD_PAGE (self));

  g_signal_emit (self, signals[CHANGED], 0);
}
