/*
 * fsjournal's FUSE binding: libfuse3's path-based API over a backing folder.
 *
 * Operations that change nothing (getattr, open, read, readdir, readlink,
 * statfs, getxattr, listxattr, flush, fsync, release) are passed through
 * here, on libfuse's loop threads, as a C pass-through would: nothing is
 * journaled for them, and a round trip to JS for each would cost more than
 * the operation. Every modifying operation goes to JavaScript: the loop
 * thread hands the request to the JS thread (a thread-safe function), blocks
 * on a semaphore, and returns what JS replied. The caller's credentials
 * (fuse_get_context: uid, gid, pid) travel with each, which is what
 * fuse-native does not expose.
 *
 * Also: the l*xattr syscalls, which Node's fs lacks, for the pass-through and
 * for appliers, lseek(SEEK_DATA/SEEK_HOLE), which capture uses to skip
 * the holes of sparse files, and syncfs(2), which makes a whole file system
 * durable in one call (the replica's durability points), on a thread of
 * libuv's pool, and mallopt(3), which bounds what glibc's allocator keeps
 * of freed memory (a daemon's RSS), and openat2(2) with RESOLVE_BENEATH and
 * RESOLVE_NO_SYMLINKS, which appliers resolve every target path with
 * (sys/beneath.ts): Node has no openat.
 *
 * Request memory (paths, read/write buffers) belongs to libfuse and is valid
 * only until the reply: JS must copy what it keeps.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>
#include <node_api.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/openat2.h>

/* Operation codes; mirrored in src/fuse_native.ts. */
enum {
  OP_EXIT = 0,
  OP_GETATTR = 1,
  OP_READLINK = 2,
  OP_MKDIR = 3,
  OP_UNLINK = 4,
  OP_RMDIR = 5,
  OP_SYMLINK = 6,
  OP_RENAME = 7,
  OP_LINK = 8,
  OP_CHMOD = 9,
  OP_CHOWN = 10,
  OP_TRUNCATE = 11,
  OP_OPEN = 12,
  OP_READ = 13,
  OP_WRITE = 14,
  OP_STATFS = 15,
  OP_FLUSH = 16,
  OP_RELEASE = 17,
  OP_FSYNC = 18,
  OP_SETXATTR = 19,
  OP_GETXATTR = 20,
  OP_LISTXATTR = 21,
  OP_REMOVEXATTR = 22,
  OP_READDIR = 23,
  OP_CREATE = 24,
  OP_UTIMENS = 25,
  OP_FSYNCDIR = 26,
};

/* mount() flags; mirrored in src/fuse_native.ts. */
enum {
  /* FSYNC and FSYNCDIR go to JS instead of being passed through here. */
  FLAG_SYNC_TO_JS = 1,
};

#define NUMS 4

typedef struct {
  int op;
  uint32_t uid, gid, pid;
  const char *path;
  const char *path2;
  double nums[NUMS];
  double fh;
  /* WRITE, SETXATTR: the request's data. */
  char *buf;
  size_t len;
  /* CREATE: where the reply puts the file handle. */
  struct fuse_file_info *fi;
  int result;
  sem_t done;
} req_t;

typedef struct {
  struct fuse *fuse;
  /* The backing folder, without a trailing slash (empty for "/"). */
  char root[PATH_MAX];
  pthread_t thread;
  napi_threadsafe_function tsfn;
  int thread_started;
  int finished;
  int flags;
} mount_t;

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error(env, NULL, #call " failed");                                                \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static napi_value make_string_or_null(napi_env env, const char *s) {
  napi_value v;
  if (s == NULL)
    napi_get_null(env, &v);
  else
    napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

/* Runs on the JS thread: turns a request into a call of the JS handler. */
static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  req_t *r = (req_t *)data;
  /*
   * A request on a FUSE thread's stack is dead once replied to, and JS may
   * reply before the call below returns: read what is needed now.
   */
  const int op = r->op;
  if (env == NULL || js_cb == NULL) {
    /* The JS side is gone (teardown): fail the request. */
    if (op == OP_EXIT) {
      free(r);
      return;
    }
    r->result = -EIO;
    sem_post(&r->done);
    return;
  }
  napi_value argv[12];
  napi_create_int32(env, r->op, &argv[0]);
  napi_create_external(env, r, NULL, NULL, &argv[1]);
  napi_create_uint32(env, r->uid, &argv[2]);
  napi_create_uint32(env, r->gid, &argv[3]);
  napi_create_uint32(env, r->pid, &argv[4]);
  argv[5] = make_string_or_null(env, r->path);
  argv[6] = make_string_or_null(env, r->path2);
  for (int i = 0; i < 4; i++) napi_create_double(env, r->nums[i], &argv[7 + i]);
  if ((r->op == OP_WRITE || r->op == OP_SETXATTR) && r->buf != NULL) {
    void *ignored;
    if (napi_create_external_buffer(env, r->len, r->buf, NULL, NULL, &argv[11]) != napi_ok) {
      /* Runtimes that refuse external buffers: copy. */
      napi_create_buffer_copy(env, r->len, r->buf, &ignored, &argv[11]);
    }
  } else {
    napi_get_null(env, &argv[11]);
  }
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_value fh;
  napi_create_double(env, r->fh, &fh);
  /* handler(op, req, uid, gid, pid, path, path2, n0, n1, n2, n3, buf, fh) */
  napi_value args[13];
  memcpy(args, argv, sizeof(argv));
  args[12] = fh;
  if (napi_call_function(env, undefined, js_cb, 13, args, NULL) != napi_ok) {
    /* A throwing handler must not leave the FUSE thread waiting forever. */
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    /* Whether the handler replied before throwing is unknown: a lost request is
       better than a double reply. Handlers catch their own errors. */
  }
  if (op == OP_EXIT) free(r);
}

static mount_t *current_mount(void) { return (mount_t *)fuse_get_context()->private_data; }

/* Hands a request to JS and waits for the reply. */
static int dispatch(req_t *r) {
  struct fuse_context *ctx = fuse_get_context();
  mount_t *m = (mount_t *)ctx->private_data;
  r->uid = ctx->uid;
  r->gid = ctx->gid;
  r->pid = ctx->pid;
  sem_init(&r->done, 0, 0);
  if (napi_call_threadsafe_function(m->tsfn, r, napi_tsfn_blocking) != napi_ok) {
    sem_destroy(&r->done);
    return -EIO;
  }
  while (sem_wait(&r->done) != 0 && errno == EINTR) {
  }
  sem_destroy(&r->done);
  return r->result;
}

static void init_req(req_t *r, int op, const char *path, struct fuse_file_info *fi) {
  memset(r, 0, sizeof(*r));
  r->op = op;
  r->path = path;
  r->fi = fi;
  r->fh = fi ? (double)fi->fh : -1;
}

/* The backing path of a mount path ("/a/b"), or -ENAMETOOLONG / -ENOENT (no path). */
static int backing(char *out, const char *path) {
  if (path == NULL) return -ENOENT;
  int n = snprintf(out, PATH_MAX, "%s%s", current_mount()->root, path);
  return n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Flags of the caller's open that the backing open must not get (see mount_capture.ts). */
#define STRIP_FLAGS (O_APPEND | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_DIRECT)

static void *fj_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  cfg->use_ino = 1;
  /* Unlinked files that are still open are not renamed to .fuse_hidden*. */
  cfg->hard_remove = 1;
  cfg->nullpath_ok = 0;
  cfg->entry_timeout = 1.0;
  cfg->attr_timeout = 1.0;
  cfg->negative_timeout = 0;
  /* As large as libfuse allows (its buffer: 256 pages): fewer, larger writes. */
  conn->max_write = 1024 * 1024;
  conn->max_readahead = 1024 * 1024;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  return current_mount();
}

static int fj_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  if (path == NULL) return fi != NULL && fstat((int)fi->fh, st) == 0 ? 0 : -errno;
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  return lstat(full, st) == 0 ? 0 : -errno;
}

static int fj_readlink(const char *path, char *buf, size_t size) {
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  if (size == 0) return -EINVAL;
  ssize_t n = readlink(full, buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = 0;
  return 0;
}

static int fj_mkdir(const char *path, mode_t mode) {
  req_t r;
  init_req(&r, OP_MKDIR, path, NULL);
  r.nums[0] = mode;
  return dispatch(&r);
}

static int fj_unlink(const char *path) {
  req_t r;
  init_req(&r, OP_UNLINK, path, NULL);
  return dispatch(&r);
}

static int fj_rmdir(const char *path) {
  req_t r;
  init_req(&r, OP_RMDIR, path, NULL);
  return dispatch(&r);
}

static int fj_symlink(const char *target, const char *linkpath) {
  req_t r;
  init_req(&r, OP_SYMLINK, linkpath, NULL);
  r.path2 = target;
  return dispatch(&r);
}

static int fj_rename(const char *from, const char *to, unsigned int flags) {
  req_t r;
  init_req(&r, OP_RENAME, from, NULL);
  r.path2 = to;
  r.nums[0] = flags;
  return dispatch(&r);
}

static int fj_link(const char *from, const char *to) {
  req_t r;
  init_req(&r, OP_LINK, from, NULL);
  r.path2 = to;
  return dispatch(&r);
}

static int fj_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  req_t r;
  init_req(&r, OP_CHMOD, path, fi);
  r.nums[0] = mode;
  return dispatch(&r);
}

static int fj_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  req_t r;
  init_req(&r, OP_CHOWN, path, fi);
  r.nums[0] = uid == (uid_t)-1 ? -1 : (double)uid;
  r.nums[1] = gid == (gid_t)-1 ? -1 : (double)gid;
  return dispatch(&r);
}

static int fj_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  req_t r;
  init_req(&r, OP_TRUNCATE, path, fi);
  r.nums[0] = (double)size;
  return dispatch(&r);
}

static int fj_open(const char *path, struct fuse_file_info *fi) {
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  int fd = open(full, (fi->flags & ~STRIP_FLAGS) | O_NOFOLLOW);
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  return 0;
}

static int fj_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  req_t r;
  init_req(&r, OP_CREATE, path, fi);
  r.nums[0] = mode;
  r.nums[1] = fi->flags;
  return dispatch(&r);
}

static int fj_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi) {
  ssize_t n = pread((int)fi->fh, buf, size, off);
  return n < 0 ? -errno : (int)n;
}

static int fj_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi) {
  req_t r;
  init_req(&r, OP_WRITE, path, fi);
  r.buf = (char *)buf;
  r.len = size;
  r.nums[0] = (double)size;
  r.nums[1] = (double)off;
  return dispatch(&r);
}

static int fj_statfs(const char *path, struct statvfs *stv) {
  const char *root = current_mount()->root;
  return statvfs(root[0] ? root : "/", stv) == 0 ? 0 : -errno;
}

static int fj_flush(const char *path, struct fuse_file_info *fi) { return 0; }

static int fj_release(const char *path, struct fuse_file_info *fi) {
  close((int)fi->fh);
  return 0;
}

static int fj_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  if (current_mount()->flags & FLAG_SYNC_TO_JS) {
    req_t r;
    init_req(&r, OP_FSYNC, path, fi);
    r.nums[0] = datasync;
    return dispatch(&r);
  }
  int fd = (int)fi->fh;
  return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
}

/*
 * fsync(2) of a folder: without it libfuse answers ENOSYS, the kernel then
 * takes every later folder fsync as done, and a caller making a rename or a
 * creation durable would be told it is while the backing folder never was.
 */
static int fj_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  if (current_mount()->flags & FLAG_SYNC_TO_JS) {
    req_t r;
    init_req(&r, OP_FSYNCDIR, path, NULL);
    r.nums[0] = datasync;
    return dispatch(&r);
  }
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  int fd = open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (fd < 0) return -errno;
  int res = (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
  close(fd);
  return res;
}

static int fj_setxattr(const char *path, const char *name, const char *value, size_t size,
                       int flags) {
  req_t r;
  init_req(&r, OP_SETXATTR, path, NULL);
  r.path2 = name;
  r.buf = (char *)value;
  r.len = size;
  r.nums[0] = flags;
  return dispatch(&r);
}

static int fj_getxattr(const char *path, const char *name, char *value, size_t size) {
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  ssize_t n = lgetxattr(full, name, value, size);
  return n < 0 ? -errno : (int)n;
}

static int fj_listxattr(const char *path, char *list, size_t size) {
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  ssize_t n = llistxattr(full, list, size);
  return n < 0 ? -errno : (int)n;
}

static int fj_removexattr(const char *path, const char *name) {
  req_t r;
  init_req(&r, OP_REMOVEXATTR, path, NULL);
  r.path2 = name;
  return dispatch(&r);
}

static int fj_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
  char full[PATH_MAX];
  int err = backing(full, path);
  if (err) return err;
  DIR *d = opendir(full);
  if (d == NULL) return -errno;
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (filler(buf, de->d_name, NULL, 0, 0) != 0) break;
  }
  closedir(d);
  return 0;
}

static int fj_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  req_t r;
  init_req(&r, OP_UTIMENS, path, fi);
  r.nums[0] = (double)tv[0].tv_sec;
  r.nums[1] = (double)tv[0].tv_nsec;
  r.nums[2] = (double)tv[1].tv_sec;
  r.nums[3] = (double)tv[1].tv_nsec;
  return dispatch(&r);
}

static const struct fuse_operations fj_ops = {
    .init = fj_init,
    .getattr = fj_getattr,
    .readlink = fj_readlink,
    .mkdir = fj_mkdir,
    .unlink = fj_unlink,
    .rmdir = fj_rmdir,
    .symlink = fj_symlink,
    .rename = fj_rename,
    .link = fj_link,
    .chmod = fj_chmod,
    .chown = fj_chown,
    .truncate = fj_truncate,
    .open = fj_open,
    .read = fj_read,
    .write = fj_write,
    .statfs = fj_statfs,
    .flush = fj_flush,
    .release = fj_release,
    .fsync = fj_fsync,
    .fsyncdir = fj_fsyncdir,
    .setxattr = fj_setxattr,
    .getxattr = fj_getxattr,
    .listxattr = fj_listxattr,
    .removexattr = fj_removexattr,
    .readdir = fj_readdir,
    .create = fj_create,
    .utimens = fj_utimens,
};

static void *loop_thread(void *data) {
  mount_t *m = (mount_t *)data;
  int res = fuse_loop_mt(m->fuse, 0);
  req_t *r = calloc(1, sizeof(req_t));
  if (r != NULL) {
    r->op = OP_EXIT;
    r->nums[0] = res;
    r->fh = -1;
    napi_call_threadsafe_function(m->tsfn, r, napi_tsfn_blocking);
  }
  return NULL;
}

static int32_t arg_int(napi_env env, napi_value v);

static req_t *get_req(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return (req_t *)p;
}

static mount_t *get_mount(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return (mount_t *)p;
}

/*
 * mount(mountpoint, options, root, handler[, flags]) -> handle. options: the
 * -o string; root: the backing folder (absolute); flags: FLAG_* (default 0).
 */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "mount(mountpoint, options, root, handler[, flags])");
    return NULL;
  }
  char mnt[4096], opts[4096];
  size_t n;
  CHECK(napi_get_value_string_utf8(env, argv[0], mnt, sizeof(mnt), &n));
  CHECK(napi_get_value_string_utf8(env, argv[1], opts, sizeof(opts), &n));
  mount_t *m = calloc(1, sizeof(mount_t));
  if (m == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[2], m->root, sizeof(m->root), &n) != napi_ok ||
      n >= sizeof(m->root) - 1) {
    free(m);
    napi_throw_error(env, NULL, "root: not a string or too long");
    return NULL;
  }
  if (n > 0 && m->root[n - 1] == '/') m->root[n - 1] = 0;
  if (argc >= 5) m->flags = arg_int(env, argv[4]);
  char *args_v[] = {"fsjournal", "-o", opts, NULL};
  struct fuse_args args = FUSE_ARGS_INIT(3, args_v);
  m->fuse = fuse_new(&args, &fj_ops, sizeof(fj_ops), m);
  if (m->fuse == NULL) {
    free(m);
    napi_throw_error(env, "FUSE_NEW", "fuse_new failed (bad options?)");
    return NULL;
  }
  if (fuse_mount(m->fuse, mnt) != 0) {
    fuse_destroy(m->fuse);
    free(m);
    napi_throw_error(env, "FUSE_MOUNT", "fuse_mount failed");
    return NULL;
  }
  napi_value name;
  napi_create_string_utf8(env, "fsjournal-fuse", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, NULL, NULL, NULL, call_js,
                                      &m->tsfn) != napi_ok) {
    fuse_unmount(m->fuse);
    fuse_destroy(m->fuse);
    free(m);
    napi_throw_error(env, NULL, "napi_create_threadsafe_function failed");
    return NULL;
  }
  if (pthread_create(&m->thread, NULL, loop_thread, m) != 0) {
    napi_release_threadsafe_function(m->tsfn, napi_tsfn_abort);
    fuse_unmount(m->fuse);
    fuse_destroy(m->fuse);
    free(m);
    napi_throw_error(env, NULL, "pthread_create failed");
    return NULL;
  }
  m->thread_started = 1;
  napi_value handle;
  CHECK(napi_create_external(env, m, NULL, NULL, &handle));
  return handle;
}

/* unmount(handle): ends the loop and detaches the mount (lazily); EXIT follows. */
static napi_value js_unmount(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  mount_t *m = get_mount(env, argv[0]);
  if (m == NULL || m->finished) return NULL;
  fuse_exit(m->fuse);
  fuse_unmount(m->fuse);
  return NULL;
}

/* finish(handle): after EXIT, joins the loop thread and frees everything. */
static napi_value js_finish(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  mount_t *m = get_mount(env, argv[0]);
  if (m == NULL || m->finished) return NULL;
  m->finished = 1;
  pthread_join(m->thread, NULL);
  fuse_unmount(m->fuse);
  fuse_destroy(m->fuse);
  napi_release_threadsafe_function(m->tsfn, napi_tsfn_release);
  return NULL;
}

static int32_t arg_int(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}

/* reply(req, result) */
static napi_value js_reply(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  req_t *r = get_req(env, argv[0]);
  if (r == NULL) return NULL;
  r->result = arg_int(env, argv[1]);
  sem_post(&r->done);
  return NULL;
}

/* replyOpen(req, result, fh) */
static napi_value js_reply_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  req_t *r = get_req(env, argv[0]);
  if (r == NULL) return NULL;
  r->result = arg_int(env, argv[1]);
  if (r->result == 0 && r->fi != NULL) {
    double fh = 0;
    napi_get_value_double(env, argv[2], &fh);
    r->fi->fh = (uint64_t)fh;
  }
  sem_post(&r->done);
  return NULL;
}

static napi_value errno_value(napi_env env, int err) {
  napi_value v;
  napi_create_int32(env, -err, &v);
  return v;
}

/* xattrGet(path, name) -> Buffer | -errno (no symlink following). */
static napi_value js_xattr_get(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096], name[256];
  size_t n;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &n));
  CHECK(napi_get_value_string_utf8(env, argv[1], name, sizeof(name), &n));
  for (int attempt = 0; attempt < 3; attempt++) {
    ssize_t size = lgetxattr(path, name, NULL, 0);
    if (size < 0) return errno_value(env, errno);
    void *data;
    napi_value buf;
    CHECK(napi_create_buffer(env, size > 0 ? (size_t)size : 1, &data, &buf));
    ssize_t got = size > 0 ? lgetxattr(path, name, data, (size_t)size) : 0;
    if (got < 0 && errno == ERANGE) continue;
    if (got < 0) return errno_value(env, errno);
    napi_value out;
    void *copy;
    CHECK(napi_create_buffer_copy(env, (size_t)got, data, &copy, &out));
    return out;
  }
  return errno_value(env, ERANGE);
}

/* xattrSet(path, name, Buffer, flags) -> 0 | -errno */
static napi_value js_xattr_set(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096], name[256];
  size_t n;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &n));
  CHECK(napi_get_value_string_utf8(env, argv[1], name, sizeof(name), &n));
  void *data = NULL;
  size_t length = 0;
  CHECK(napi_get_buffer_info(env, argv[2], &data, &length));
  int flags = arg_int(env, argv[3]);
  return errno_value(env, lsetxattr(path, name, data, length, flags) == 0 ? 0 : errno);
}

/* xattrRemove(path, name) -> 0 | -errno */
static napi_value js_xattr_remove(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096], name[256];
  size_t n;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &n));
  CHECK(napi_get_value_string_utf8(env, argv[1], name, sizeof(name), &n));
  return errno_value(env, lremovexattr(path, name) == 0 ? 0 : errno);
}

/* xattrList(path) -> Buffer (NUL-separated names) | -errno */
static napi_value js_xattr_list(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096];
  size_t n;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &n));
  for (int attempt = 0; attempt < 3; attempt++) {
    ssize_t size = llistxattr(path, NULL, 0);
    if (size < 0) return errno_value(env, errno);
    char *data = malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL) return errno_value(env, ENOMEM);
    ssize_t got = size > 0 ? llistxattr(path, data, (size_t)size) : 0;
    if (got < 0) {
      int e = errno;
      free(data);
      if (e == ERANGE) continue;
      return errno_value(env, e);
    }
    napi_value out;
    void *copy;
    napi_status s = napi_create_buffer_copy(env, (size_t)got, data, &copy, &out);
    free(data);
    CHECK(s);
    return out;
  }
  return errno_value(env, ERANGE);
}

/*
 * dataExtents(fd, from, max) -> [start0, end0, start1, end1, ...] | -errno
 *
 * The data extents of an open file at or after `from`, found with
 * lseek(SEEK_DATA) and lseek(SEEK_HOLE): at most `max` of them (bounded, so a
 * file with a million extents is listed in chunks; fewer than `max` means
 * the end of the file was reached). ENXIO is the end (no data at or past the
 * offset, or the file shrank meanwhile), not an error. A file system without
 * holes answers with the whole file as one extent (lseek's documented
 * fallback). Moves the descriptor's offset: callers read with pread.
 */
static napi_value js_data_extents(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1, max = 0;
  double from = 0;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_double(env, argv[1], &from));
  CHECK(napi_get_value_int32(env, argv[2], &max));
  if (fd < 0 || from < 0 || max <= 0 || max > 65536) return errno_value(env, EINVAL);
  napi_value out;
  CHECK(napi_create_array(env, &out));
  off_t at = (off_t)from;
  uint32_t n = 0;
  for (int32_t i = 0; i < max; i++) {
    off_t data = lseek(fd, at, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;
      return errno_value(env, errno);
    }
    off_t hole = lseek(fd, data, SEEK_HOLE);
    if (hole < 0) {
      if (errno == ENXIO) break; /* shrank between the two calls */
      return errno_value(env, errno);
    }
    if (hole <= data) break;
    napi_value a, b;
    CHECK(napi_create_double(env, (double)data, &a));
    CHECK(napi_create_double(env, (double)hole, &b));
    CHECK(napi_set_element(env, out, n++, a));
    CHECK(napi_set_element(env, out, n++, b));
    at = hole;
  }
  return out;
}

/* syncfs(fd) -> Promise<0 | -errno>: waits for the disk, so it runs on libuv's pool. */
typedef struct {
  int fd;
  int result;
  napi_deferred deferred;
  napi_async_work work;
} syncfs_job_t;

static void syncfs_execute(napi_env env, void *data) {
  syncfs_job_t *job = data;
  job->result = syncfs(job->fd) == 0 ? 0 : -errno;
}

static void syncfs_complete(napi_env env, napi_status status, void *data) {
  syncfs_job_t *job = data;
  napi_value v;
  napi_create_int32(env, status == napi_ok ? job->result : -ECANCELED, &v);
  napi_resolve_deferred(env, job->deferred, v);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value js_syncfs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  syncfs_job_t *job = calloc(1, sizeof(*job));
  if (!job) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->fd = arg_int(env, argv[0]);
  napi_value promise, name;
  CHECK(napi_create_promise(env, &job->deferred, &promise));
  CHECK(napi_create_string_utf8(env, "fsjournal.syncfs", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, syncfs_execute, syncfs_complete, job, &job->work));
  CHECK(napi_queue_async_work(env, job->work));
  return promise;
}

/*
 * mallopt(3) for a long-running daemon: a fixed mmap threshold (glibc's
 * dynamic one moves buffers up to 32 MiB into the brk heap after the first
 * large free, where freed space fragments and stays in RSS), a trim
 * threshold, and at most `arenas` arenas. tuneMalloc(mmapThreshold,
 * trimThreshold, arenas) -> 1 when every call succeeded, else 0.
 */
static napi_value js_tune_malloc(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int ok = 0;
#ifdef __GLIBC__
  ok = mallopt(M_MMAP_THRESHOLD, arg_int(env, argv[0])) == 1;
  ok &= mallopt(M_TRIM_THRESHOLD, arg_int(env, argv[1])) == 1;
  ok &= mallopt(M_ARENA_MAX, arg_int(env, argv[2])) == 1;
#endif
  napi_value v;
  CHECK(napi_create_int32(env, ok, &v));
  return v;
}

/*
 * openBeneath(dirFd, path, flags, mode) -> fd | -errno: openat2(2) of `path`
 * relative to `dirFd`, never leaving it and following no symlink at any
 * component (nor a /proc magic link). -ENOSYS on a kernel without openat2
 * (before 5.6): the caller walks the components itself. The descriptor is
 * close-on-exec.
 */
static napi_value js_open_beneath(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096];
  size_t n;
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof(path), &n) != napi_ok)
    return errno_value(env, EINVAL);
  if (n >= sizeof(path) - 1) return errno_value(env, ENAMETOOLONG);
  struct open_how how;
  memset(&how, 0, sizeof(how));
  how.flags = (uint64_t)(uint32_t)arg_int(env, argv[2]) | O_CLOEXEC;
  how.mode = (how.flags & (O_CREAT | O_TMPFILE)) ? (uint64_t)(arg_int(env, argv[3]) & 07777) : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd;
  int tries = 0;
  do {
    fd = syscall(SYS_openat2, arg_int(env, argv[0]), n == 0 ? "." : path, &how, sizeof(how));
  } while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 16);
  napi_value v;
  CHECK(napi_create_int32(env, fd < 0 ? -errno : (int32_t)fd, &v));
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"mount", NULL, js_mount, NULL, NULL, NULL, napi_default, NULL},
      {"unmount", NULL, js_unmount, NULL, NULL, NULL, napi_default, NULL},
      {"finish", NULL, js_finish, NULL, NULL, NULL, napi_default, NULL},
      {"reply", NULL, js_reply, NULL, NULL, NULL, napi_default, NULL},
      {"replyOpen", NULL, js_reply_open, NULL, NULL, NULL, napi_default, NULL},
      {"xattrGet", NULL, js_xattr_get, NULL, NULL, NULL, napi_default, NULL},
      {"xattrSet", NULL, js_xattr_set, NULL, NULL, NULL, napi_default, NULL},
      {"xattrRemove", NULL, js_xattr_remove, NULL, NULL, NULL, napi_default, NULL},
      {"xattrList", NULL, js_xattr_list, NULL, NULL, NULL, napi_default, NULL},
      {"dataExtents", NULL, js_data_extents, NULL, NULL, NULL, napi_default, NULL},
      {"syncfs", NULL, js_syncfs, NULL, NULL, NULL, napi_default, NULL},
      {"tuneMalloc", NULL, js_tune_malloc, NULL, NULL, NULL, napi_default, NULL},
      {"openBeneath", NULL, js_open_beneath, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
