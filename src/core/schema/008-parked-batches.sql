-- Schema version 8: change batches from other devices of the center that
-- decrypted and authenticated (so a device of this center wrote them) but
-- whose content this version cannot read (a newer format, or a malformed
-- one).  Kept sealed, as the server relayed them, so that they are opened
-- and read again after every sync (a newer program reads them) instead of
-- stopping the pull at that batch on every run (docs/ARCHITECTURE.md,
-- "Parking").  They travel in snapshots, like parked_changes: the
-- snapshot's cursor is past them.
CREATE TABLE parked_batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL UNIQUE,  -- the server's seq of the batch
  device TEXT NOT NULL,         -- the device that wrote it (envelope header)
  key_id TEXT NOT NULL,         -- the center key it is sealed with
  envelope TEXT NOT NULL,       -- the envelope, JSON, still sealed
  reason TEXT NOT NULL,         -- why it could not be read (last try)
  received_at TEXT NOT NULL
);
