/* mbox_ioshim.so: an LD_PRELOAD shim that makes one system call fail
 * on mboxsplit's new file, for the I/O error tests (tests/mbox_ioerr.bats).
 * MBOX_IOSHIM=CALL:ERRNO[,CALL:ERRNO...], CALL one of write,
 * copy_file_range, sync_file_range, fallocate, fsync, fchown, fchmod,
 * close, rename; ERRNO a number (5 = EIO, 18 = EXDEV, 28 = ENOSPC,
 * 38 = ENOSYS, 95 = EOPNOTSUPP).  Only calls on a descriptor or path
 * whose name holds ".mboxsplit-new" fail.  Each failed call appends its
 * name to the file named by MBOX_IOSHIM_COUNT, if set, so a test can tell
 * that the write-back made the call, and how often. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int should_fail(const char *call, int fd, const char *path)
{
	int err = errno_for(call);
	if (!err)
		return 0;
	char name[4096];
	if (!path) {
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t len = readlink(link, name, sizeof name - 1);
		if (len < 0)
			return 0;
		name[len] = '\0';
		path = name;
	}
	if (!strstr(path, NEW_FILE_MARK))
		return 0;
	const char *count = getenv("MBOX_IOSHIM_COUNT");
	FILE *f = count ? fopen(count, "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", call);
		fclose(f);
	}
	errno = err;
	return 1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

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
