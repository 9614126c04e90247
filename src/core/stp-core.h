/* stp-core.h: every public header of the core layer. */
#pragma once

#include "stp-types.h"
#include "stp-error.h"
#include "stp-hlc.h"
#include "stp-change.h"
#include "stp-records.h"
#include "stp-session.h"
#include "stp-store.h"
#include "stp-query.h"
#include "stp-stats.h"
#include "stp-overview.h"
#include "stp-uuid.h"
#include "stp-validate.h"
#include "stp-sync-store.h"
#include "stp-demo.h"
#include "stp-backup.h"
#include "stp-import.h"
