/* fcrdns.c: see fcrdns.h.  getnameinfo and getaddrinfo run in a forked
 * child (so that nss modules, nss_wrapper in the tests, work as usual);
 * it writes one status octet and the name to a pipe.  The parent waits
 * with poll() until the deadline, then kills the child. */
#include "fcrdns.h"
#include "hostname.h"
#include "clock.h"
#include "dropuser.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The unprivileged account the lookup runs as when hostcheck is root. */
#define FCRDNS_USER "nobody"

static void to_sockaddr(const struct netaddr *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (addr->family == NETADDR_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr->octets, 4);
		*len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr->octets, 16);
		*len = sizeof *sin6;
	}
}

static bool resolves_to(const char *name, const struct netaddr *addr)
{
	struct addrinfo hints, *list;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &list) != 0)
		return false;
	bool found = false;
	for (const struct addrinfo *ai = list; ai && !found; ai = ai->ai_next) {
		struct netaddr candidate;
		uint16_t port;
		if (netaddr_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &candidate, &port))
			found = netaddr_equal(&candidate, addr);
	}
	freeaddrinfo(list);
	return found;
}

/* A "name" whose last label is all digits is an address in disguise:
 * getaddrinfo would resolve "192.0.2.1" to itself and confirm any PTR
 * record that merely repeats the address. */
static bool numeric_name(const char *name)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	size_t start = len;
	while (start > 0 && name[start - 1] != '.')
		start--;
	if (start == len)
		return true;
	for (size_t i = start; i < len; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

/* The resolver parses answers that whoever runs the client's reverse
 * zone writes: not as root (DESIGN: no untrusted byte parsed by root).
 * Any failure to drop ends the lookup with an error, never as root. */
static bool drop_root(void)
{
	if (geteuid() != 0)
		return true;
	struct passwd *pw = getpwnam(FCRDNS_USER);
	if (!pw || pw->pw_uid == 0)
		return false;
	return drop_user(pw) == 0;
}

static _Noreturn void child(int out, const struct netaddr *addr)
{
	char answer[1 + NI_MAXHOST];
	struct sockaddr_storage ss;
	socklen_t len;
	size_t answer_len = 1;
	if (!drop_root()) {
		answer[0] = FCRDNS_ERROR;
		_exit(write(out, answer, 1) == 1 ? 0 : 1);
	}
	to_sockaddr(addr, &ss, &len);
	int r = getnameinfo((struct sockaddr *)&ss, len, answer + 1, NI_MAXHOST, NULL, 0, NI_NAMEREQD);
	if (r != 0) {
		answer[0] = r == EAI_NONAME ? FCRDNS_NONAME : FCRDNS_ERROR;
	} else if (numeric_name(answer + 1) || !resolves_to(answer + 1, addr)) {
		answer[0] = FCRDNS_UNCONFIRMED;
	} else {
		answer[0] = FCRDNS_OK;
		answer_len += strlen(answer + 1);
	}
	ssize_t w = write(out, answer, answer_len);
	_exit(w == (ssize_t)answer_len ? 0 : 1);
}

/* Reads the child's answer until end of file or the deadline. */
static enum fcrdns_status read_answer(int in, unsigned timeout_ms, char *buf, size_t size,
				      size_t *got)
{
	int64_t deadline = clock_ms() + timeout_ms;
	*got = 0;
	for (;;) {
		int left = clock_ms_left(deadline);
		if (left == 0)
			return FCRDNS_TIMEOUT;
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		int r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return FCRDNS_ERROR;
		if (r == 0)
			return FCRDNS_TIMEOUT;
		if (*got == size)
			return FCRDNS_ERROR;
		ssize_t n = read(in, buf + *got, size - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FCRDNS_ERROR;
		if (n == 0)
			return FCRDNS_OK;
		*got += (size_t)n;
	}
}

/* The child's name, checked and lowercased: it came from the DNS. */
static enum fcrdns_status accept_name(const char *raw, size_t len, char *name)
{
	if (len > 0 && raw[len - 1] == '.')
		len--;
	if (!hostname_dns_ok(raw, len))
		return FCRDNS_ERROR;
	for (size_t i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)raw[i]);
	name[len] = '\0';
	return FCRDNS_OK;
}

enum fcrdns_status fcrdns_lookup(const struct netaddr *addr, unsigned timeout_ms,
				 char name[RULES_NAME_MAX + 1])
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return FCRDNS_ERROR;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return FCRDNS_ERROR;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], addr);
	}
	close(fds[1]);
	char buf[1 + NI_MAXHOST];
	size_t got;
	enum fcrdns_status status = read_answer(fds[0], timeout_ms, buf, sizeof buf, &got);
	close(fds[0]);
	if (status != FCRDNS_OK)
		kill(pid, SIGKILL);
	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (status != FCRDNS_OK)
		return status;
	if (got < 1 || buf[0] < FCRDNS_OK || buf[0] > FCRDNS_ERROR)
		return FCRDNS_ERROR;
	if (buf[0] != FCRDNS_OK)
		return (enum fcrdns_status)buf[0];
	return accept_name(buf + 1, got - 1, name);
}

const char *fcrdns_status_name(enum fcrdns_status status)
{
	switch (status) {
	case FCRDNS_OK: return "ok";
	case FCRDNS_NONAME: return "noname";
	case FCRDNS_UNCONFIRMED: return "unconfirmed";
	case FCRDNS_TIMEOUT: return "timeout";
	case FCRDNS_ERROR: break;
	}
	return "error";
}
