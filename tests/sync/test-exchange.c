/* Sync through a file (issue 15, part 3) and a computer restored from a
 * backup copy, against real stupeni-server processes on both backends.
 * Arguments: --tap SERVER_BINARY */
#include "config.h"

#define SYNC_FX_DIR_TEMPLATE "stupeni-exchange-test-XXXXXX"
#include "sync-fixture.h"
#include "stp-sync-exchange.h"
#include "stp-backup.h"
#include "stp-session.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <sodium.h>

#define PASSPHRASE "пароль центра"

static const char *R1 = "01890000-0000-7000-8000-0000000000e1";
static const char *R2 = "01890000-0000-7000-8000-0000000000e2";

static Client *
enrolled_client (Fx *fx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  Client *c = new_client (fx);

  code = fx->code != NULL ? g_steal_pointer (&fx->code) : h_new_code (fx->server, fx->center);
  h_enroll (c->engine, fx->server, code, PASSPHRASE, &error);
  g_assert_no_error (error);
  return c;
}

static void
sync_ok (Client *c)
{
  g_autoptr(GError) error = NULL;

  h_sync (c->engine, &error);
  g_assert_no_error (error);
}

static char *
data_hash (Client *c)
{
  return stp_sync_store_canonical_hash (c->store);
}

static gboolean
export_file (Client      *c,
             const char  *path,
             guint       *changes,
             GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  stp_sync_engine_export_file_async (c->engine, path, NULL, h_got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = stp_sync_engine_export_file_finish (c->engine, result, changes, error);
  g_object_unref (result);
  return ok;
}

static gboolean
import_file (Client      *c,
             const char  *path,
             guint       *changes,
             GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  stp_sync_engine_import_file_async (c->engine, path, NULL, h_got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = stp_sync_engine_import_file_finish (c->engine, result, changes, error);
  g_object_unref (result);
  g_assert_cmpint (stp_sync_engine_get_state (c->engine), ==, STP_SYNC_STATE_IDLE);
  return ok;
}

static char *
tmp_path (Fx         *fx,
          const char *name)
{
  return g_build_filename (fx->dir, name, NULL);
}

/* Runs the server's admin command; its exit status, stdout and stderr. */
static int
admin (Fx          *fx,
       char       **out,
       char       **err,
       const char  *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status = -1;
  va_list ap;

  g_ptr_array_add (argv, fx->server->binary);
  g_ptr_array_add (argv, (char *) "--config");
  g_ptr_array_add (argv, fx->server->config_path);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("%s %s: %s", (char *) argv->pdata[3], (char *) argv->pdata[4], *err);
      return 1;
    }
  return 0;
}

/* How many envelopes the server holds for the fixture's center. */
static guint
server_count (Fx *fx)
{
  g_autofree char *path = tmp_path (fx, "count.stupeni-obmen");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *batches = NULL;

  g_assert_cmpint (admin (fx, &out, &err, "export", fx->center, path, NULL), ==, 0);
  batches = stp_test_field (out, "batches");
  return (guint) g_ascii_strtoull (batches, NULL, 10);
}

static char *
read_field (Client     *c,
            const char *row,
            const char *field)
{
  return h_read (c->store, "residents", row, field);
}

/* Two computers of one center exchange files only, through edits and a
 * conflict, and end identical; the files again change nothing; then the
 * same batches also pass through the server with no change. */
static void
test_two_computers (Fx            *fx,
                    gconstpointer  data)
{
  g_autofree char *ab = NULL, *ba = NULL;
  g_autofree char *hash = NULL, *again = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  ab = tmp_path (fx, "a-to-b.stupeni-obmen");
  ba = tmp_path (fx, "b-to-a.stupeni-obmen");

  h_write (a->store, "residents", R1, "surname", "Файлов");
  h_write (a->store, "residents", R1, "phone", "111");
  h_write (b->store, "residents", R2, "surname", "Флешкин");
  g_assert_true (export_file (a, ab, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  /* The file does not empty the outbox: the server has not got them. */
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 2);
  g_assert_true (import_file (b, ab, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  {
    g_autofree char *surname = read_field (b, R1, "surname");
    g_assert_cmpstr (surname, ==, "Файлов");
  }

  /* Both edit the same field; B's edit is later and wins everywhere. */
  h_write (a->store, "residents", R1, "phone", "222-A");
  g_usleep (2000);
  h_write (b->store, "residents", R1, "phone", "333-B");
  g_assert_true (export_file (b, ba, NULL, &error));
  g_assert_true (export_file (a, ab, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (import_file (a, ba, NULL, &error));
  g_assert_true (import_file (b, ab, NULL, &error));
  g_assert_no_error (error);
  hash = data_hash (a);
  again = data_hash (b);
  g_assert_cmpstr (hash, ==, again);
  {
    g_autofree char *phone = read_field (a, R1, "phone");
    g_autofree char *surname = read_field (a, R2, "surname");

    g_assert_cmpstr (phone, ==, "333-B");
    g_assert_cmpstr (surname, ==, "Флешкин");
  }

  /* Twice, in any order: nothing further. */
  g_assert_true (import_file (b, ab, NULL, &error));
  g_assert_true (import_file (a, ba, NULL, &error));
  g_assert_true (import_file (a, ab, NULL, &error));   /* its own file */
  g_assert_no_error (error);
  g_clear_pointer (&again, g_free);
  again = data_hash (a);
  g_assert_cmpstr (hash, ==, again);
  g_clear_pointer (&again, g_free);
  again = data_hash (b);
  g_assert_cmpstr (hash, ==, again);

  /* The same batches through the server: no change. */
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);
  g_clear_pointer (&again, g_free);
  again = data_hash (a);
  g_assert_cmpstr (hash, ==, again);
  g_clear_pointer (&again, g_free);
  again = data_hash (b);
  g_assert_cmpstr (hash, ==, again);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
}

/* A center without internet: its file goes into the server with
 * `stupeni-server import` (twice: nothing new), another computer gets the
 * server's `export`, and network syncs afterwards store nothing twice. */
static void
test_server_round_trip (Fx            *fx,
                        gconstpointer  data)
{
  g_autofree char *from_a = NULL, *from_server = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *hash = NULL, *other = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0, stored;
  Client *a, *c;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  c = enrolled_client (fx);
  from_a = tmp_path (fx, "a.stupeni-obmen");
  from_server = tmp_path (fx, "server.stupeni-obmen");
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8001-%012u", i);
      g_autofree char *name = g_strdup_printf ("Житель %u", i);

      h_write (a->store, "residents", row, "surname", name);
    }
  g_assert_true (export_file (a, from_a, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 30);

  g_assert_cmpint (admin (fx, &out, &err, "import", from_a, NULL), ==, 0);
  {
    g_autofree char *batches = stp_test_field (out, "batches");
    g_autofree char *added = stp_test_field (out, "new");

    g_assert_cmpstr (added, ==, batches);
    g_assert_cmpstr (batches, !=, "0");
  }
  stored = server_count (fx);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (admin (fx, &out, &err, "import", from_a, NULL), ==, 0);
  {
    g_autofree char *added = stp_test_field (out, "new");
    g_assert_cmpstr (added, ==, "0");
  }
  g_assert_cmpuint (server_count (fx), ==, stored);

  /* The regional office writes the center's file; C reads it. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (admin (fx, &out, &err, "export", fx->center, "--after", "0", from_server, NULL), ==, 0);
  g_assert_true (import_file (c, from_server, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 30);
  hash = data_hash (a);
  other = data_hash (c);
  g_assert_cmpstr (hash, ==, other);
  /* The server's seqs moved C's pull cursor: nothing is downloaded again. */
  g_assert_cmpint (stp_sync_store_get_cursor (c->store, "sync.cursor"), ==, (gint64) stored);

  /* --after: only what is newer. */
  {
    g_autofree char *after = g_strdup_printf ("%u", stored);
    g_autofree char *empty = tmp_path (fx, "empty.stupeni-obmen");

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (admin (fx, &out, &err, "export", fx->center, "--after", after, empty, NULL), ==, 0);
    g_autofree char *batches = stp_test_field (out, "batches");
    g_assert_cmpstr (batches, ==, "0");
  }

  /* A gets network later: its outbox gives the same batches, stored once. */
  sync_ok (a);
  g_assert_cmpuint (server_count (fx), ==, stored);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
  sync_ok (c);
  g_clear_pointer (&other, g_free);
  other = data_hash (c);
  g_assert_cmpstr (hash, ==, other);
}

/* Writes @text over @path. */
static void
put_file (const char *path,
          const char *text,
          gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
}

/* Recomputes the trailer so that only the envelope's own check can see
 * the change. */
static char *
reseal_trailer (const char *contents)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  guint8 digest[32];
  char hex[65];
  guint n = 0;

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      if (strstr (lines[i], "\"end\":true") != NULL)
        break;
      g_string_append_printf (body, "%s\n", lines[i]);
      if (i > 0)
        n++;
    }
  crypto_generichash (digest, sizeof digest, (const guint8 *) body->str, body->len, NULL, 0);
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  g_string_append_printf (body, "{\"blake2b\":\"%s\",\"count\":%u,\"end\":true}\n", hex, n);
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static void
assert_refused (Client     *b,
                const char *path,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = data_hash (b);
  g_autofree char *after = NULL;
  gsize pending = stp_sync_store_count_pending (b->store);

  g_assert_false (import_file (b, path, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, words));
  after = data_hash (b);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (stp_sync_store_count_pending (b->store), ==, pending);
}

static gint64
clock_three_days_ahead (gpointer data)
{
  return g_get_real_time () + (gint64) 3 * 24 * 3600 * G_USEC_PER_SEC;
}

/* A damaged, cut short, tampered, foreign or newer file is refused with a
 * Russian message and nothing applied, on the computer and on the server. */
static void
test_damaged (Fx            *fx,
              gconstpointer  data)
{
  g_autofree char *good = NULL, *bad = NULL, *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  guint stored;
  Client *a, *b;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  good = tmp_path (fx, "good.stupeni-obmen");
  bad = tmp_path (fx, "bad.stupeni-obmen");
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8002-%012u", i);
      h_write (a->store, "residents", row, "surname", "Испорченный");
    }
  h_write (b->store, "residents", R2, "surname", "Целый");
  g_assert_true (export_file (a, good, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (good, &contents, &len, &error));

  /* Cut short, at several places. */
  for (guint cut = 1; cut < 4; cut++)
    {
      put_file (bad, contents, (gssize) (len * cut / 4));
      assert_refused (b, bad, "повреждён");
    }
  /* One byte of a ciphertext changed: the batch does not open (the
   * check reads every batch before the trailer's hash)... */
  {
    g_autofree char *changed = g_strdup (contents);
    char *ct = strstr (changed, "\"ct\":\"");

    g_assert_nonnull (ct);
    ct[10] = ct[10] == 'A' ? 'B' : 'A';
    put_file (bad, changed, (gssize) len);
    assert_refused (b, bad, "повреждён");
    /* ...and not with a matching hash either. */
    {
      g_autofree char *resealed = reseal_trailer (changed);

      put_file (bad, resealed, -1);
      assert_refused (b, bad, "расшифровать");
    }
  }
  /* Two batches, the second one damaged: the first is not applied
   * either (every batch is opened before any is applied). */
  {
    g_autofree char *from_b = tmp_path (fx, "from-b.stupeni-obmen");
    g_autofree char *b_contents = NULL;
    g_autofree char *combined = NULL;
    g_auto(GStrv) good_lines = g_strsplit (contents, "\n", -1);
    g_auto(GStrv) b_lines = NULL;
    Client *c = enrolled_client (fx);
    char *ct;

    g_assert_true (export_file (b, from_b, NULL, &error));
    g_assert_true (g_file_get_contents (from_b, &b_contents, NULL, &error));
    g_assert_no_error (error);
    b_lines = g_strsplit (b_contents, "\n", -1);
    ct = strstr (b_lines[1], "\"ct\":\"");
    g_assert_nonnull (ct);
    ct[10] = ct[10] == 'A' ? 'B' : 'A';
    combined = g_strdup_printf ("%s\n%s\n%s\n{\"end\":true}\n", good_lines[0], good_lines[1],
                                b_lines[1]);
    {
      g_autofree char *resealed = reseal_trailer (combined);

      put_file (bad, resealed, -1);
    }
    assert_refused (c, bad, "расшифровать");
    g_assert_cmpint (h_count (c->store, "SELECT count(*) FROM residents"), ==, 0);
  }
  /* A newer format. */
  {
    g_autofree char *newer = NULL;
    g_autoptr(GString) s = g_string_new (contents);

    g_string_replace (s, "\"format\":1", "\"format\":2", 1);
    newer = g_string_free (g_steal_pointer (&s), FALSE);
    put_file (bad, newer, -1);
    assert_refused (b, bad, "новой версией");
  }
  /* Not an exchange file at all. */
  put_file (bad, "Фамилия;Имя\nИванов;Иван\n", -1);
  assert_refused (b, bad, "не файл обмена");

  /* Another center's file. */
  {
    g_autofree char *code = NULL;
    g_autofree char *other_center = h_new_center (fx->server, &code);
    g_autofree char *foreign = tmp_path (fx, "foreign.stupeni-obmen");
    g_autofree char *name = g_strdup_printf ("client-%u.db", fx->n_clients);
    Client *x = &fx->clients[fx->n_clients++];

    x->path = g_build_filename (fx->dir, name, NULL);
    client_open (x);
    h_enroll (x->engine, fx->server, code, "другой пароль", &error);
    g_assert_no_error (error);
    h_write (x->store, "residents", R1, "surname", "Чужой");
    g_assert_true (export_file (x, foreign, NULL, &error));
    g_assert_no_error (error);
    assert_refused (b, foreign, "другому центру");
  }

  /* The intact file still applies after all that. */
  g_assert_true (import_file (b, good, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h_count (b->store, "SELECT count(*) FROM residents WHERE surname = 'Испорченный'"),
                   ==, 20);

  /* The server: a cut file is refused in Russian and stores nothing. */
  stored = server_count (fx);
  {
    g_autofree char *out = NULL, *err = NULL;

    put_file (bad, contents, (gssize) (len / 2));
    g_assert_cmpint (admin (fx, &out, &err, "import", bad, NULL), !=, 0);
    g_test_message ("server: %s", err);
    g_assert_nonnull (strstr (err, "повреждён"));
    g_assert_cmpuint (server_count (fx), ==, stored);
  }
  /* Changes dated days ahead (a computer with a wrong clock), as a push
   * would be refused. */
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *ahead = tmp_path (fx, "ahead.stupeni-obmen");

    stp_store_set_clock (b->store, clock_three_days_ahead, NULL);
    h_write (b->store, "residents", R2, "phone", "из будущего");
    g_assert_true (export_file (b, ahead, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (admin (fx, &out, &err, "import", ahead, NULL), !=, 0);
    g_assert_nonnull (strstr (err, "часов этого сервера"));
    g_assert_cmpuint (server_count (fx), ==, stored);
  }
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (admin (fx, &out, &err, "import", good, NULL), ==, 0);
    g_assert_cmpuint (server_count (fx), >, stored);
  }
}

/* A computer restored from a real backup copy (stp_backup_write and
 * stp_backup_restore) gets back from the server what it had sent after the
 * copy, keeps its new edits, and reuses no message id. */
static void
test_restored_from_backup (Fx            *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *ha = NULL, *hb = NULL;
  Client *a, *b;
  guint stored;

  if (!need_server (fx))
    return;
  a = enrolled_client (fx);
  b = enrolled_client (fx);
  {
    g_autoptr(StpCenter) center = stp_center_new ();
    g_autoptr(StpSession) director = NULL;

    center->name = g_strdup ("Центр «Ступени»");
    center->region = g_strdup ("Пермский край");
    center->seats_total = 20;
    director = stp_store_create_center (a->store, center, "director", "Орлова Анна Сергеевна",
                                        "secret-1", &error);
    g_assert_no_error (error);
  }
  h_write (a->store, "residents", R1, "surname", "Копиев");
  sync_ok (a);

  folder = tmp_path (fx, "copies");
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  key = stp_backup_key_derive ("пароль копий", &error);
  g_assert_no_error (error);
  info = stp_backup_write (a->path, key, folder, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);

  /* Sent after the copy. */
  h_write (a->store, "residents", R1, "name", "После-копии");
  h_write (a->store, "residents", R2, "surname", "Второй");
  sync_ok (a);
  stored = server_count (fx);

  /* The disk fails: a fresh file on a new disk, restored from the copy
   * as the first-run window does. */
  client_close (a);
  for (guint i = 0; i < 3; i++)
    {
      static const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (a->path, suffixes[i], NULL);

      g_remove (file);
    }
  a->store = stp_store_open (a->path, &error);
  g_assert_no_error (error);
  g_assert_true (stp_backup_restore (a->store, NULL, info->path, "пароль копий", NULL, NULL, &error));
  g_assert_no_error (error);
  stp_backup_refresh_store (a->store);
  a->engine = stp_sync_engine_new (a->store);
  {
    g_autofree char *name = read_field (a, R1, "name");
    g_assert_null (name);
  }
  g_assert_true (stp_sync_engine_is_enrolled (a->engine));

  h_write (a->store, "residents", R1, "phone", "После-восстановления");
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_pending (a->store), ==, 0);
  /* The new edit was stored as a new batch, not taken for an old one. */
  g_assert_cmpuint (server_count (fx), >, stored);
  sync_ok (b);
  {
    g_autofree char *name = read_field (a, R1, "name");
    g_autofree char *second = read_field (a, R2, "surname");
    g_autofree char *phone = read_field (b, R1, "phone");

    g_assert_cmpstr (name, ==, "После-копии");
    g_assert_cmpstr (second, ==, "Второй");
    g_assert_cmpstr (phone, ==, "После-восстановления");
  }
  ha = data_hash (a);
  hb = data_hash (b);
  g_assert_cmpstr (ha, ==, hb);
}

int
main (int   argc,
      char *argv[])
{
  static const FxCase cases[] = {
    { "two-computers", test_two_computers },
    { "server-round-trip", test_server_round_trip },
    { "damaged", test_damaged },
    { "restored-from-backup", test_restored_from_backup },
  };
  /* Russian messages, from the catalogue the build compiled (the server
   * processes find it through STUPENI_LOCALEDIR). */
  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("STUPENI_LOCALEDIR", BUILD_LOCALEDIR, TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s [--tap] STUPENI_SERVER\n", argv[0]);
      return 2;
    }
  server_binary = argv[1];
  g_assert_true (sodium_init () >= 0);

  return fx_run ("exchange", cases, G_N_ELEMENTS (cases));
}
