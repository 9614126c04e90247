/* stp-server-store-schema.h: the tables, in SQL both backends accept, as
 * numbered migrations (docs/ARCHITECTURE.md, "Server schema").
 *
 * STP_SERVER_STORE_MIGRATIONS[i] takes a database from version i to i + 1;
 * the table schema_version has one row per migration applied.  Migrations
 * are only ever added at the end, never changed.  Migration 1 is the
 * schema from before versions were kept, written with IF NOT EXISTS so that
 * such a database simply records it. */
#pragma once

/* snapshot_chunks.size is the decoded size of the chunk's base64 body, kept
 * so that checking a snapshot's total against its declared bytes sums small
 * numbers instead of reading every stored chunk again on each upload. */
#define STP_SERVER_STORE_MIGRATION_1 \
  "CREATE TABLE IF NOT EXISTS centers (" \
  "  id TEXT PRIMARY KEY," \
  "  name TEXT NOT NULL," \
  "  created_at BIGINT NOT NULL," \
  "  key TEXT);" \
  "CREATE TABLE IF NOT EXISTS enrollment_codes (" \
  "  code_hash TEXT PRIMARY KEY," \
  "  center TEXT NOT NULL REFERENCES centers (id)," \
  "  expires_at BIGINT NOT NULL," \
  "  used INTEGER NOT NULL DEFAULT 0);" \
  "CREATE TABLE IF NOT EXISTS devices (" \
  "  id TEXT PRIMARY KEY," \
  "  center TEXT NOT NULL REFERENCES centers (id)," \
  "  name TEXT NOT NULL," \
  "  token_hash TEXT NOT NULL UNIQUE," \
  "  revoked INTEGER NOT NULL DEFAULT 0," \
  "  enrolled_at BIGINT NOT NULL," \
  "  last_seen BIGINT);" \
  "CREATE TABLE IF NOT EXISTS device_counters (" \
  "  center TEXT PRIMARY KEY REFERENCES centers (id)," \
  "  last_number BIGINT NOT NULL);" \
  "CREATE TABLE IF NOT EXISTS device_numbers (" \
  "  device TEXT PRIMARY KEY REFERENCES devices (id)," \
  "  center TEXT NOT NULL REFERENCES centers (id)," \
  "  number BIGINT NOT NULL," \
  "  UNIQUE (center, number));" \
  "CREATE TABLE IF NOT EXISTS center_counters (" \
  "  center TEXT PRIMARY KEY REFERENCES centers (id)," \
  "  next_seq BIGINT NOT NULL);" \
  "CREATE TABLE IF NOT EXISTS envelopes (" \
  "  center TEXT NOT NULL REFERENCES centers (id)," \
  "  seq BIGINT NOT NULL," \
  "  msg_id TEXT NOT NULL," \
  "  device TEXT NOT NULL," \
  "  hlc BIGINT NOT NULL," \
  "  schema INTEGER NOT NULL," \
  "  key_id TEXT NOT NULL," \
  "  body TEXT NOT NULL," \
  "  received_at BIGINT NOT NULL," \
  "  PRIMARY KEY (center, seq)," \
  "  UNIQUE (center, msg_id));" \
  "CREATE TABLE IF NOT EXISTS aggregates (" \
  "  center TEXT NOT NULL REFERENCES centers (id)," \
  "  period_from TEXT NOT NULL," \
  "  period_to TEXT NOT NULL," \
  "  sent_at BIGINT NOT NULL," \
  "  body TEXT NOT NULL);" \
  "CREATE INDEX IF NOT EXISTS aggregates_center ON aggregates (center, sent_at);" \
  "CREATE TABLE IF NOT EXISTS snapshots (" \
  "  center TEXT NOT NULL REFERENCES centers (id)," \
  "  id TEXT NOT NULL," \
  "  device TEXT NOT NULL," \
  "  seq BIGINT NOT NULL," \
  "  chunks INTEGER NOT NULL," \
  "  bytes BIGINT NOT NULL," \
  "  manifest TEXT NOT NULL," \
  "  created_at BIGINT NOT NULL," \
  "  committed_at BIGINT," \
  "  PRIMARY KEY (center, id));" \
  "CREATE TABLE IF NOT EXISTS snapshot_chunks (" \
  "  center TEXT NOT NULL," \
  "  snapshot TEXT NOT NULL," \
  "  n INTEGER NOT NULL," \
  "  size BIGINT NOT NULL," \
  "  body TEXT NOT NULL," \
  "  PRIMARY KEY (center, snapshot, n));"

/* The administrator lists a center's devices; enrollment counts them. */
#define STP_SERVER_STORE_MIGRATION_2 \
  "CREATE INDEX IF NOT EXISTS devices_center ON devices (center);"

#define STP_SERVER_STORE_MIGRATIONS { STP_SERVER_STORE_MIGRATION_1, STP_SERVER_STORE_MIGRATION_2 }
