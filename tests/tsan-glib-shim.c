/* tsan-glib-shim.c: tells ThreadSanitizer about the GLib synchronization
 * our code relies on, for the -Db_sanitize=thread build only (`make
 * test-tsan`, README.md "Sanitizers").
 *
 * Debian's GLib is not built with TSan: its GMutex is a futex, and GTask
 * hands a job to a pool thread and back through a GAsyncQueue and the main
 * context, so TSan sees no order between the window thread writing a job's
 * data and the worker reading it.  Linked into a test program, the wrappers
 * below replace the GLib functions *our* code calls (calls inside GLib are
 * not affected) and add exactly the ordering GLib documents:
 *
 *   g_mutex_unlock (m)          happens before the next g_mutex_lock (m);
 *   what precedes g_task_run_in_thread (t) happens before the thread
 *   function runs; what precedes g_task_return_* (t) happens before
 *   g_task_propagate_* (t) and the rest of the callback's reading of t.
 *
 * Nothing is ignored: an access after g_task_run_in_thread() that races
 * with the worker, or a field touched outside its mutex, is still reported. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gio/gio.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

static __typeof__ (g_mutex_lock) *real_g_mutex_lock;
static __typeof__ (g_mutex_trylock) *real_g_mutex_trylock;
static __typeof__ (g_mutex_unlock) *real_g_mutex_unlock;
static __typeof__ (g_task_run_in_thread) *real_g_task_run_in_thread;
static __typeof__ (g_task_return_pointer) *real_g_task_return_pointer;
static __typeof__ (g_task_return_error) *real_g_task_return_error;
static __typeof__ (g_task_return_boolean) *real_g_task_return_boolean;
static __typeof__ (g_task_return_int) *real_g_task_return_int;
static __typeof__ (g_task_get_task_data) *real_g_task_get_task_data;
static __typeof__ (g_task_propagate_pointer) *real_g_task_propagate_pointer;
static __typeof__ (g_task_propagate_boolean) *real_g_task_propagate_boolean;
static __typeof__ (g_task_propagate_int) *real_g_task_propagate_int;
static __typeof__ (g_task_had_error) *real_g_task_had_error;

/* The next definition of @name (GLib's), looked up on first use: other
 * libraries call these wrappers too, some before main(). */
#define REAL(name) \
  ({ __typeof__ (name) *real_ = __atomic_load_n (&real_##name, __ATOMIC_ACQUIRE); \
     if (real_ == NULL) \
       { \
         real_ = (__typeof__ (name) *) dlsym (RTLD_NEXT, #name); \
         __atomic_store_n (&real_##name, real_, __ATOMIC_RELEASE); \
       } \
     real_; })


void
g_mutex_lock (GMutex *mutex)
{
  REAL (g_mutex_lock) (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  gboolean locked;

  locked = REAL (g_mutex_trylock) (mutex);
  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  REAL (g_mutex_unlock) (mutex);
}

/* The thread function of each task, kept on the task (set before the
 * release, read after the acquire). */
static void
task_trampoline (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GTaskThreadFunc func;

  __tsan_acquire (task);
  func = (GTaskThreadFunc) g_object_get_data (G_OBJECT (task), "tsan-thread-func");
  func (task, source_object, task_data, cancellable);
}

void
g_task_run_in_thread (GTask           *task,
                      GTaskThreadFunc  task_func)
{
  g_object_set_data (G_OBJECT (task), "tsan-thread-func", (gpointer) task_func);
  __tsan_release (task);
  REAL (g_task_run_in_thread) (task, task_trampoline);
}

void
g_task_return_pointer (GTask          *task,
                       gpointer        result,
                       GDestroyNotify  result_destroy)
{
  __tsan_release (task);
  REAL (g_task_return_pointer) (task, result, result_destroy);
}

void
g_task_return_error (GTask  *task,
                     GError *error)
{
  __tsan_release (task);
  REAL (g_task_return_error) (task, error);
}

void
g_task_return_boolean (GTask    *task,
                       gboolean  result)
{
  __tsan_release (task);
  REAL (g_task_return_boolean) (task, result);
}

void
g_task_return_int (GTask  *task,
                   gssize  result)
{
  __tsan_release (task);
  REAL (g_task_return_int) (task, result);
}

gpointer
g_task_get_task_data (GTask *task)
{
  __tsan_acquire (task);
  return REAL (g_task_get_task_data) (task);
}

gpointer
g_task_propagate_pointer (GTask   *task,
                          GError **error)
{
  __tsan_acquire (task);
  return REAL (g_task_propagate_pointer) (task, error);
}

gboolean
g_task_propagate_boolean (GTask   *task,
                          GError **error)
{
  __tsan_acquire (task);
  return REAL (g_task_propagate_boolean) (task, error);
}

gssize
g_task_propagate_int (GTask   *task,
                      GError **error)
{
  __tsan_acquire (task);
  return REAL (g_task_propagate_int) (task, error);
}

gboolean
g_task_had_error (GTask *task)
{
  __tsan_acquire (task);
  return REAL (g_task_had_error) (task);
}
