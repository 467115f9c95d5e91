/* mbox_ioerr_shim.so: makes sync_file_range(2) on mboxsplit's new file
 * fail, for tests/mbox_ioerr.bats, which builds it (cc, no make rule)
 * and preloads it beside tests/unit/mbox_ioshim.so.  It reads the same
 * MBOX_IOSHIM=CALL:ERRNO[,...] list and acts on "sync_file_range:ERRNO"
 * (5 = EIO, 38 = ENOSYS) only, and only for a descriptor whose name
 * holds ".mboxsplit-new".  Each call that fails is counted in the file
 * named by MBOX_IOSHIM_COUNT, if set, so a test can tell that the
 * write-back reached the call. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NEW_FILE_MARK ".mboxsplit-new"
#define CALL "sync_file_range:"

static int injected_errno(void)
{
	const char *spec = getenv("MBOX_IOSHIM");
	while (spec && *spec) {
		if (strncmp(spec, CALL, strlen(CALL)) == 0)
			return atoi(spec + strlen(CALL));
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

static void count_failure(void)
{
	const char *path = getenv("MBOX_IOSHIM_COUNT");
	if (!path)
		return;
	FILE *f = fopen(path, "a");
	if (f) {
		fputs("sync_file_range\n", f);
		fclose(f);
	}
}

int sync_file_range(int fd, off_t off, off_t len, unsigned flags)
{
	int err = injected_errno();
	if (err && is_new_file(fd)) {
		count_failure();
		errno = err;
		return -1;
	}
	int (*real)(int, off_t, off_t, unsigned) =
		(int (*)(int, off_t, off_t, unsigned))dlsym(RTLD_NEXT, "sync_file_range");
	return real(fd, off, len, flags);
}
