/* stp-report.h: everything the report layer offers. */
#pragma once

#include "stp-report-layout.h"
#include "stp-report-fonts.h"
#include "stp-report-csv.h"
#include "stp-report-common.h"
#include "stp-report-resident.h"
#include "stp-report-center.h"
#include "stp-report-lists.h"
#include "stp-report-referral.h"
