/* uservars.c: per-user settings (uservars.h). */
#include "uservars.h"
#include "die.h"
#include "logvalue.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const names[] = { "LOGIN_DELAY", "EXPIRE", "UIDL_FORMAT" };

static const char *known(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return names[i];
	return NULL;
}

static int apply_line(const char *line, size_t len, const char *file, unsigned lineno)
{
	if (len == 0 || line[0] == '#')
		return 0;
	const char *eq = memchr(line, '=', len);
	const char *name = eq ? known(line, (size_t)(eq - line)) : NULL;
	char value[256];
	size_t vlen = eq ? (size_t)(line + len - eq - 1) : 0;
	if (!name || vlen >= sizeof value || memchr(eq + 1, 0, vlen)) {
		char shown[LOG_VALUE_SIZE(64)];
		log_value(shown, sizeof shown, line, len < 64 ? len : 64);
		logline("uservars file=%s line=%u ignored=%s", file, lineno, shown);
		return 0;
	}
	memcpy(value, eq + 1, vlen);
	value[vlen] = 0;
	if (setenv(name, value, 1) != 0)
		die_nomem();
	return 1;
}

int uservars_apply(const char *text, size_t len, const char *file)
{
	int n = 0;
	unsigned lineno = 0;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t ll = nl ? (size_t)(nl - (text + start)) : len - start;
		n += apply_line(text + start, ll, file, ++lineno);
		start += ll + 1;
	}
	return n;
}

int uservars_load(const char *dir, const char *user)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, user) >= sizeof path) {
		logline("uservars error=\"path too long\" dir=%s", dir);
		return -1;
	}
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		logline("uservars file=%s error=\"%s\"", path, strerror(errno));
		return -1;
	}
	static char text[USERVARS_FILE_MAX + 1];
	struct stat st;
	ssize_t got = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= USERVARS_FILE_MAX)
		got = read(fd, text, sizeof text);
	close(fd);
	if (got < 0 || got > USERVARS_FILE_MAX) {
		logline("uservars file=%s error=\"not a regular file of at most %d octets\"",
			path, USERVARS_FILE_MAX);
		return -1;
	}
	return uservars_apply(text, (size_t)got, path);
}
