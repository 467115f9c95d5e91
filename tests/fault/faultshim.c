/* faultshim.so: an LD_PRELOAD library that makes chosen file system calls
 * fail, to prove that a full disk or an I/O error never costs mail.
 *
 * Calls it can fail: write pwrite writev copy_file_range (as "write"; on
 * regular files only, never a socket, pipe or terminal, never fds 0-2),
 * rename renameat renameat2, fsync fdatasync, unlink unlinkat, ftruncate.  Everything is chosen by the environment,
 * so it rides through a whole chain (tcpserver ... mboxsplit pop3d):
 *
 *   FAULT_CALLS    comma list of the call names above, or "all"
 *                  (default write,rename,fsync)
 *   FAULT_ERRNO    ENOSPC, EIO, EDQUOT or EROFS (default EIO)
 *   FAULT_PROGS    comma list of program names to act in (default: all);
 *                  e.g. "mboxsplit,maildirscan"
 *   FAULT_PATH     act only on paths containing this string
 *   FAULT_NTH      fail from the Nth matching call of each process and
 *                  the children it forks, counted together (mboxsplit's
 *                  spool helper makes the renames its parent asks for)
 *                  (default 1)
 *   FAULT_TIMES    how many calls to fail after that (default 1, 0: all)
 *   FAULT_PERMILLE instead of NTH: fail each matching call with this
 *                  probability in 1/1000
 *   FAULT_ARMED    a path: act only while that file exists, so a test
 *                  can disarm a running server; a number in the file
 *                  overrides FAULT_NTH
 *   FAULT_LOG      append one line per injected failure:
 *                  "PID PROG CALL ERRNO TARGET"
 *   FAULT_ACTION   "fail" (default), or "kill-before" / "kill-after": the
 *                  chosen call is not failed but the process SIGKILLs
 *                  itself just before or just after making it, a kill at
 *                  an exact instant (logged with ERRNO "KILL")
 *   FAULT_ACTION_FILE  a file holding the action, read at each call, so
 *                  that a test can change it on a running server
 *
 * Writes made inside glibc (stdio's flush) do not pass through here:
 * only the program's own calls do, which is where the toolkit writes.
 *
 * Confined processes (lib/confine.h) can open none of the test's files
 * and may not call readlink, so the shim opens FAULT_LOG and reads
 * FAULT_ARMED and FAULT_ACTION_FILE when the program starts, keeps
 * those where a later open is refused, and names the files a process
 * opens in a table shared with its children, for after confinement. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

extern char *program_invocation_short_name;

/* Shared with forked children, so that a program and its helper count
 * as one; a new exec starts a new count. */
struct counts {
	unsigned long matching, failed;
};
static struct counts own_counts, *counts = &own_counts;

__attribute__((constructor)) static void share_counts(void)
{
	void *p = mmap(NULL, sizeof *counts, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		counts = p;
}

/* Open files by device and inode, for regular_fd() once readlink is
 * forbidden; shared with forked children (the spool helper opens the
 * write-back's new file and passes it on). */
#define NAMED_MAX 64
struct named {
	dev_t dev;
	ino_t ino;
	char path[240];
};
static struct named *named;
static unsigned *named_next;
static int confined;          /* PR_SET_SECCOMP has been made */
static int log_fd = -1;
static int start_armed = -1;  /* FAULT_ARMED at start: -1 absent, else its number */
static char start_action[32];

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return 0;
}

__attribute__((constructor)) static void start_state(void)
{
	void *p = mmap(NULL, 64 + NAMED_MAX * sizeof(struct named),
	               PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		named_next = p;
		named = (struct named *)((char *)p + 64);
	}
	const char *path = getenv("FAULT_LOG");
	if (path)
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	char text[32];
	const char *armed = getenv("FAULT_ARMED");
	if (armed && read_small(armed, text, sizeof text) == 0)
		start_armed = (int)strtoul(text, NULL, 10);
	const char *action_file = getenv("FAULT_ACTION_FILE");
	if (action_file && read_small(action_file, text, sizeof text) == 0) {
		text[strcspn(text, "\n")] = 0;
		snprintf(start_action, sizeof start_action, "%s", text);
	}
}

static void remember(int fd, const char *path)
{
	struct stat st;
	if (!named || fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	unsigned i = __atomic_fetch_add(named_next, 1, __ATOMIC_SEQ_CST) % NAMED_MAX;
	named[i].dev = st.st_dev;
	named[i].ino = st.st_ino;
	snprintf(named[i].path, sizeof named[i].path, "%s", path);
}

static const char *recalled(const struct stat *st)
{
	for (unsigned i = 0; named && i < NAMED_MAX; i++)
		if (named[i].path[0] && named[i].dev == st->st_dev && named[i].ino == st->st_ino)
			return named[i].path;
	return NULL;
}
static unsigned long rng;

static int env_errno(void)
{
	const char *e = getenv("FAULT_ERRNO");
	if (!e || strcmp(e, "EIO") == 0)
		return EIO;
	if (strcmp(e, "ENOSPC") == 0)
		return ENOSPC;
	if (strcmp(e, "EDQUOT") == 0)
		return EDQUOT;
	if (strcmp(e, "EROFS") == 0)
		return EROFS;
	return EIO;
}

/* Is NAME in the comma list LIST? */
static int listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t item = comma ? (size_t)(comma - p) : strlen(p);
		if ((item == len && strncmp(p, name, len) == 0) || (item == 3 && strncmp(p, "all", 3) == 0))
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static ssize_t (*real_write)(int, const void *, size_t);

static void log_fault(const char *call, int err, const char *target)
{
	if (log_fd < 0)
		return;
	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (!real_write)
		return;
	char line[600];
	int n = snprintf(line, sizeof line, "%d %s %s %s %.400s\n", (int)getpid(),
		program_invocation_short_name, call, err == 0 ? "KILL" : strerrorname_np(err),
		target ? target : "-");
	if (n > 0)
		real_write(log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* FAULT_ACTION: 0 fail, 1 kill before, 2 kill after. */
static int action(void)
{
	const char *a = getenv("FAULT_ACTION");
	char text[32];
	const char *file = getenv("FAULT_ACTION_FILE");
	if (file) {
		int (*real_open)(const char *, int, ...) =
			(int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
		int fd = real_open ? real_open(file, O_RDONLY | O_CLOEXEC) : -1;
		if (fd >= 0) {
			ssize_t n = read(fd, text, sizeof text - 1);
			close(fd);
			text[n > 0 ? n : 0] = 0;
			text[strcspn(text, "\n")] = 0;
			a = text;
		} else if (errno == EACCES && start_action[0]) {
			a = start_action;
		}
	}
	if (!a || strcmp(a, "fail") == 0)
		return 0;
	return strcmp(a, "kill-before") == 0 ? 1 : strcmp(a, "kill-after") == 0 ? 2 : 0;
}

static void die_now(void)
{
	kill(getpid(), SIGKILL);
	_exit(137);
}

/* Whether the FAULT_ARMED file exists; a number in it is the Nth call
 * to fail, so that a test can aim at each call of a running server. */
static int read_armed(const char *path, unsigned long *nth)
{
	int (*real_open)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	int saved = errno;
	int fd = real_open ? real_open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 && errno == EACCES && start_armed >= 0) {
		/* confined: whether it still exists, and the number it held */
		struct stat st;
		int there = stat(path, &st) == 0;
		*nth = (unsigned long)start_armed;
		errno = saved;
		return there;
	}
	if (fd < 0) {
		errno = saved;
		return 0;
	}
	char text[32];
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	*nth = strtoul(text, NULL, 10);
	errno = saved;
	return 1;
}

/* Decides whether this call of CALL on TARGET fails; sets errno if so. */
static int inject(const char *call, const char *target)
{
	const char *calls = getenv("FAULT_CALLS");
	if (!listed(calls ? calls : "write,rename,fsync", call))
		return 0;
	const char *progs = getenv("FAULT_PROGS");
	if (progs && !listed(progs, program_invocation_short_name))
		return 0;
	const char *want = getenv("FAULT_PATH");
	if (want && (!target || !strstr(target, want)))
		return 0;
	const char *armed = getenv("FAULT_ARMED");
	unsigned long armed_nth = 0;
	if (armed && !read_armed(armed, &armed_nth))
		return 0;
	unsigned long matching_calls = __atomic_add_fetch(&counts->matching, 1, __ATOMIC_SEQ_CST);
	const char *permille = getenv("FAULT_PERMILLE");
	int fail;
	if (permille) {
		if (!rng)
			rng = (unsigned long)getpid() * 2654435761UL ^ (unsigned long)time(NULL);
		rng = rng * 6364136223846793005UL + 1442695040888963407UL;
		fail = (long)((rng >> 33) % 1000) < atol(permille);
	} else {
		const char *nth = getenv("FAULT_NTH"), *times = getenv("FAULT_TIMES");
		unsigned long from = armed_nth ? armed_nth : nth ? strtoul(nth, NULL, 10) : 1;
		unsigned long count = times ? strtoul(times, NULL, 10) : 1;
		fail = matching_calls >= from && (count == 0 || counts->failed < count);
	}
	if (!fail)
		return 0;
	__atomic_add_fetch(&counts->failed, 1, __ATOMIC_SEQ_CST);
	int act = action();
	if (act) {
		log_fault(call, 0, target);
		if (act == 1)
			die_now();
		return 2;  /* the caller makes the call, then dies */
	}
	int err = env_errno();
	log_fault(call, err, target);
	errno = err;
	return 1;
}

/* The path of a regular file open on FD, or NULL for anything else.
 * Descriptors 0 to 2 never count: under tcpserver fd 2 is often the log
 * file, and a failing log is not what these tests are about. */
static const char *regular_fd(int fd, char *buf, size_t size)
{
	struct stat st;
	int saved = errno;
	if (fd <= 2 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errno = saved;
		return NULL;
	}
	const char *known = recalled(&st);
	if (confined) {
		snprintf(buf, size, "%s", known ? known : "?");
		errno = saved;
		return buf;
	}
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	errno = saved;
	return buf;
}

/* Makes the real call and returns its result, unless the process was
 * to die right after it (FAULT_ACTION=kill-after). */
#define RESULT_OF(call) \
	do { \
		__typeof__(call) ret_ = call; \
		if (hit == 2) \
			die_now(); \
		return ret_; \
	} while (0)

/* The libc function this one stands in front of. */
#define REAL(fn) \
	static __typeof__(&fn) real; \
	if (!real) \
		real = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn)

/* Noted, to know when readlink is no longer allowed. */
int prctl(int option, ...)
{
	va_list ap;
	unsigned long a[4];
	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	REAL(prctl);
	int r = real(option, a[0], a[1], a[2], a[3]);
	if (option == PR_SET_SECCOMP && r == 0)
		confined = 1;
	return r;
}

/* Files opened are named for regular_fd(), for after confinement. */
int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	REAL(open);
	int fd = real(path, flags, mode);
	remember(fd, path);
	return fd;
}

int openat(int dir, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	REAL(openat);
	int fd = real(dir, path, flags, mode);
	remember(fd, path);
	return fd;
}

ssize_t write(int fd, const void *data, size_t len)
{
	REAL(write);
	char path[512];
	const char *target = regular_fd(fd, path, sizeof path);
	int hit = target ? inject("write", target) : 0;
	if (hit == 1)
		return -1;
	RESULT_OF(real(fd, data, len));
}

ssize_t pwrite(int fd, const void *data, size_t len, off_t off)
{
	REAL(pwrite);
	char path[512];
	const char *target = regular_fd(fd, path, sizeof path);
	int hit = target ? inject("pwrite", target) : 0;
	if (hit == 1)
		return -1;
	RESULT_OF(real(fd, data, len, off));
}

ssize_t writev(int fd, const struct iovec *iov, int count)
{
	REAL(writev);
	char path[512];
	const char *target = regular_fd(fd, path, sizeof path);
	int hit = target ? inject("writev", target) : 0;
	if (hit == 1)
		return -1;
	RESULT_OF(real(fd, iov, count));
}

int fsync(int fd)
{
	REAL(fsync);
	char path[512];
	const char *target = regular_fd(fd, path, sizeof path);
	int hit = inject("fsync", target ? target : "-");
	if (hit == 1)
		return -1;
	RESULT_OF(real(fd));
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	char path[512];
	const char *target = regular_fd(fd, path, sizeof path);
	int hit = inject("fdatasync", target ? target : "-");
	if (hit == 1)
		return -1;
	RESULT_OF(real(fd));
}

int ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	char path[512];
	const char *target = regular_fd(fd, path, sizeof path);
	int hit = inject("ftruncate", target ? target : "-");
	if (hit == 1)
		return -1;
	RESULT_OF(real(fd, len));
}

int rename(const char *from, const char *to)
{
	REAL(rename);
	const char *want = getenv("FAULT_PATH");
	const char *target = want && strstr(from, want) && !strstr(to, want) ? from : to;
	int hit = inject("rename", target);
	if (hit == 1)
		return -1;
	RESULT_OF(real(from, to));
}

int renameat(int dfrom, const char *from, int dto, const char *to)
{
	REAL(renameat);
	int hit = inject("rename", to);
	if (hit == 1)
		return -1;
	RESULT_OF(real(dfrom, from, dto, to));
}

int renameat2(int dfrom, const char *from, int dto, const char *to, unsigned flags)
{
	REAL(renameat2);
	int hit = inject("rename", to);
	if (hit == 1)
		return -1;
	RESULT_OF(real(dfrom, from, dto, to, flags));
}

int unlink(const char *path)
{
	REAL(unlink);
	int hit = inject("unlink", path);
	if (hit == 1)
		return -1;
	RESULT_OF(real(path));
}

int unlinkat(int dir, const char *path, int flags)
{
	REAL(unlinkat);
	int hit = inject("unlink", path);
	if (hit == 1)
		return -1;
	RESULT_OF(real(dir, path, flags));
}

/* The kernel's copies count as writes to the file they fill. */
ssize_t copy_file_range(int in, off64_t *in_off, int out, off64_t *out_off, size_t len,
                        unsigned flags)
{
	REAL(copy_file_range);
	char path[512];
	const char *target = regular_fd(out, path, sizeof path);
	int hit = target ? inject("write", target) : 0;
	if (hit == 1)
		return -1;
	RESULT_OF(real(in, in_off, out, out_off, len, flags));
}
