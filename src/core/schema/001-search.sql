-- Schema version 1, search part (filled by stp-query.c's owner):
-- normalized search keys, phonetic keys and the FTS5 index, kept up to date
-- by triggers so that local saves and synced changes both maintain them.
SELECT 1;
