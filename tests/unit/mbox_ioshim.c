/* mbox_ioshim.so: an LD_PRELOAD shim that makes one system call fail
 * on mboxsplit's new file, for the I/O error tests (tests/mbox_ioerr.bats).
 * MBOX_IOSHIM=CALL:ERRNO[,CALL:ERRNO...], CALL one of write,
 * copy_file_range, sync_file_range, fallocate, fsync, fchown, fchmod,
 * close, rename; ERRNO a number (5 = EIO, 18 = EXDEV, 28 = ENOSPC,
 * 38 = ENOSYS, 95 = EOPNOTSUPP).  Only calls on a descriptor or path
 * whose name holds ".mboxsplit-new" fail.  Each failed call appends its
 * name to the file named by MBOX_IOSHIM_COUNT, if set, so a test can tell
 * that the write-back made the call, and how often.
 *
 * mboxsplit's worker is confined (lib/confine.h): it may neither call
 * readlink nor open the count file.  So the new file is known by device
 * and inode, noted when the spool helper (a forked child, sharing the
 * note) opens it, and the count file is opened when the program starts. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define NEW_FILE_MARK ".mboxsplit-new"

/* The errno given for CALL, or 0. */
static int errno_for(const char *call)
{
	const char *spec = getenv("MBOX_IOSHIM");
	size_t n = strlen(call);
	while (spec && *spec) {
		if (strncmp(spec, call, n) == 0 && spec[n] == ':')
			return atoi(spec + n + 1);
		spec = strchr(spec, ',');
		if (spec)
			spec++;
	}
	return 0;
}

struct new_file {
	dev_t dev;
	ino_t ino;
};
static struct new_file *new_file;   /* shared with forked children */
static int count_fd = -1;

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

__attribute__((constructor)) static void start(void)
{
	void *p = mmap(NULL, sizeof *new_file, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		new_file = p;
	const char *count = getenv("MBOX_IOSHIM_COUNT");
	if (count)
		count_fd = REAL(open)(count, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

static int is_new_file(int fd)
{
	struct stat st;
	return new_file && fd >= 0 && fstat(fd, &st) == 0 && new_file->ino != 0 &&
	       st.st_dev == new_file->dev && st.st_ino == new_file->ino;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
	va_end(ap);
	int fd = REAL(open)(path, flags, mode);
	struct stat st;
	if (fd >= 0 && new_file && strstr(path, NEW_FILE_MARK) && fstat(fd, &st) == 0) {
		new_file->dev = st.st_dev;
		new_file->ino = st.st_ino;
	}
	return fd;
}

static int should_fail(const char *call, int fd, const char *path)
{
	int err = errno_for(call);
	if (!err)
		return 0;
	if (path ? !strstr(path, NEW_FILE_MARK) : !is_new_file(fd))
		return 0;
	if (count_fd >= 0) {
		char line[64];
		int n = snprintf(line, sizeof line, "%s\n", call);
		if (REAL(write)(count_fd, line, (size_t)n) < 0)
			return 0;
	}
	errno = err;
	return 1;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	if (should_fail("write", fd, NULL))
		return -1;
	return REAL(write)(fd, buf, len);
}

ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len,
                        unsigned flags)
{
	if (should_fail("copy_file_range", out, NULL))
		return -1;
	return REAL(copy_file_range)(in, in_off, out, out_off, len, flags);
}

int sync_file_range(int fd, off_t off, off_t len, unsigned flags)
{
	if (should_fail("sync_file_range", fd, NULL))
		return -1;
	return REAL(sync_file_range)(fd, off, len, flags);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	if (should_fail("fallocate", fd, NULL))
		return -1;
	return REAL(fallocate)(fd, mode, off, len);
}

int fsync(int fd)
{
	if (should_fail("fsync", fd, NULL))
		return -1;
	return REAL(fsync)(fd);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	if (should_fail("fchown", fd, NULL))
		return -1;
	return REAL(fchown)(fd, uid, gid);
}

int fchmod(int fd, mode_t mode)
{
	if (should_fail("fchmod", fd, NULL))
		return -1;
	return REAL(fchmod)(fd, mode);
}

int close(int fd)
{
	if (should_fail("close", fd, NULL)) {
		int err = errno;
		REAL(close)(fd);
		errno = err;
		return -1;
	}
	return REAL(close)(fd);
}

int rename(const char *from, const char *to)
{
	if (should_fail("rename", -1, from))
		return -1;
	return REAL(rename)(from, to);
}
