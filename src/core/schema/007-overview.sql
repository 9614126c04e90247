-- Schema version 7 (with 007-stage-kinds.sql): indexes for the «Обзор»
-- page (stp-overview.c).  Each of its walks reads one index alone, without
-- the table rows: on a center of 100 000 residents there are tens of
-- thousands of residents in the programs, pending follow-ups and
-- unanswered referrals, and reading their rows was most of a second.
-- Local, never synced.

CREATE INDEX IF NOT EXISTS resident_summaries_overview ON resident_summaries (
  status, deleted, stage_id, sex, program_id, resident_id
);
CREATE INDEX IF NOT EXISTS follow_ups_overview_pending ON follow_ups (
  due_on, deleted, outcome, resident_id
) WHERE done_on IS NULL;
CREATE INDEX IF NOT EXISTS referrals_overview_awaiting ON referrals (
  deleted, due_on, resident_id
) WHERE response_on IS NULL;
CREATE INDEX IF NOT EXISTS consents_overview_expiry ON consents (
  expires_on, deleted, withdrawn_on, resident_id
);
CREATE INDEX IF NOT EXISTS court_obligations_overview ON court_obligations (deleted, resident_id, id);
CREATE INDEX IF NOT EXISTS court_notices_overview ON court_notices (obligation_id, deleted, kind, sent_on);
CREATE INDEX IF NOT EXISTS follow_ups_overview_due ON follow_ups (
  months, due_on, deleted, outcome, remission, employed, documents_restored, resident_id
);
