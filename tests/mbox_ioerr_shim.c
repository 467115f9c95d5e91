/* mbox_ioerr_shim.so: makes sync_file_range(2) or fallocate(2) on
 * mboxsplit's new file fail, for tests/mbox_ioerr.bats, which builds it
 * (cc, no make rule) and preloads it beside tests/unit/mbox_ioshim.so.
 * It reads the same MBOX_IOSHIM=CALL:ERRNO[,...] list and acts on
 * "sync_file_range:ERRNO" and "fallocate:ERRNO" (5 = EIO, 28 = ENOSPC,
 * 38 = ENOSYS, 95 = EOPNOTSUPP) only, and only for a descriptor whose
 * name holds ".mboxsplit-new".  Each failed call appends its name to the
 * file named by MBOX_IOSHIM_COUNT, if set, so a test can tell that the
 * write-back made the call, and how often. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NEW_FILE_MARK ".mboxsplit-new"

/* The errno MBOX_IOSHIM gives for CALL, or 0. */
static int injected_errno(const char *call)
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

static int is_new_file(int fd)
{
	char link[64], name[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t len = readlink(link, name, sizeof name - 1);
	if (len < 0)
		return 0;
	name[len] = '\0';
	return strstr(name, NEW_FILE_MARK) != NULL;
}

/* 1 (errno set, the failure counted) if CALL on FD is to fail. */
static int should_fail(const char *call, int fd)
{
	int err = injected_errno(call);
	if (!err || !is_new_file(fd))
		return 0;
	const char *path = getenv("MBOX_IOSHIM_COUNT");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", call);
		fclose(f);
	}
	errno = err;
	return 1;
}

int sync_file_range(int fd, off_t off, off_t len, unsigned flags)
{
	if (should_fail("sync_file_range", fd))
		return -1;
	int (*real)(int, off_t, off_t, unsigned) =
		(int (*)(int, off_t, off_t, unsigned))dlsym(RTLD_NEXT, "sync_file_range");
	return real(fd, off, len, flags);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	if (should_fail("fallocate", fd))
		return -1;
	int (*real)(int, int, off_t, off_t) =
		(int (*)(int, int, off_t, off_t))dlsym(RTLD_NEXT, "fallocate");
	return real(fd, mode, off, len);
}
