/* The exchange file's reader on files from outside (fuzz-exchange found a
 * header member of the wrong type reaching json-glib's typed getter). */
#include "config.h"

#include <glib/gstdio.h>

#include "stp-exchange-file.h"

static gboolean
count_envelope (const StpEnvelope  *envelope,
                const char         *envelope_json,
                gint64              seq,
                gpointer            user_data,
                GError            **error)
{
  (*(guint *) user_data)++;
  return TRUE;
}

/* Members of the wrong type: refused with a reason, nothing applied, no
 * GLib critical (fatal in tests). */
static void
test_wrong_types (void)
{
  const char *files[] = {
    "{\"stupeni\":{}}\n",
    "{\"stupeni\":[\"exchange\"]}\n",
    "{\"stupeni\":\"exchange\",\"format\":\"1\",\"center\":\"c1\"}\n",
    "{\"stupeni\":\"exchange\",\"format\":1,\"center\":[\"c1\"]}\n",
    "{\"stupeni\":\"exchange\",\"format\":1,\"center\":\"c1\",\"from\":{},\"created\":[]}\n"
    "{\"blake2b\":{},\"count\":\"0\",\"end\":true}\n",
    "{\"stupeni\":\"exchange\",\"format\":1,\"center\":\"c1\",\"from\":\"d\",\"created\":1}\n"
    "{\"envelope\":{},\"seq\":{}}\n",
    "{\"stupeni\":\"exchange\",\"format\":1,\"center\":\"c1\",\"from\":\"d\",\"created\":1}\n"
    "{\"blake2b\":[1],\"count\":[0],\"end\":true}\n",
  };
  g_autofree char *dir = g_dir_make_tmp ("stp-exchange-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "x" STP_EXCHANGE_SUFFIX, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StpExchangeInfo) info = NULL;
      guint applied = 0;

      g_assert_true (g_file_set_contents (path, files[i], -1, NULL));
      info = stp_exchange_file_read (path, NULL, NULL, count_envelope, &applied, &error);
      g_assert_null (info);
      g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID);
      g_assert_cmpuint (applied, ==, 0);
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/exchange-file/wrong-types", test_wrong_types);
  return g_test_run ();
}
