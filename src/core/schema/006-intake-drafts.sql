-- Schema version 6: the intake form a user has not finished yet.
--
-- It was a file in the operating system account's data directory, so the
-- next person to log in on that account saw it, even in another center's
-- database.  Now each user of the center has at most one draft, kept in
-- the center database next to the records it is about and deleted when
-- the resident is registered.  A draft is this computer's working state:
-- no trigger writes it to the outbox, so it is never sent to the server.

CREATE TABLE intake_drafts (
  user_id    TEXT PRIMARY KEY NOT NULL,
  data       TEXT NOT NULL,           -- the form's rows as GKeyFile text
  updated_at TEXT NOT NULL            -- UTC ISO 8601
);
