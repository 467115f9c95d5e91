/* fakedns.c: a test aid for hostcheck, preloaded before nss_wrapper, to
 * play a hostile or broken DNS without touching the system's resolver.
 * Built as $(B)/tests/fakedns.so (tests/shims/shims.mk); never installed.
 *   HOSTCHECK_TEST_DNS_DELAY=N    getnameinfo() hangs N seconds first
 *   HOSTCHECK_TEST_PTR="IP NAME"  getnameinfo() of IP answers NAME, as a
 *                                 PTR record its owner controls would
 *   HOSTCHECK_TEST_UID_FILE=PATH  getnameinfo() writes the euid it runs
 *                                 under to PATH (created beforehand) */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <stdio.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef int nameinfo_fn(const struct sockaddr *, socklen_t, char *, socklen_t, char *,
			socklen_t, int);

static int fake_ptr(const struct sockaddr *sa, char *host, socklen_t hostlen)
{
	const char *spec = getenv("HOSTCHECK_TEST_PTR");
	const char *space = spec ? strchr(spec, ' ') : NULL;
	char text[INET6_ADDRSTRLEN];
	const void *addr = sa->sa_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!space || !inet_ntop(sa->sa_family, addr, text, sizeof text))
		return 0;
	if (strlen(text) != (size_t)(space - spec) || memcmp(text, spec, strlen(text)) != 0)
		return 0;
	if (strlen(space + 1) >= hostlen)
		return 0;
	strcpy(host, space + 1);
	return 1;
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
		char *serv, socklen_t servlen, int flags)
{
	const char *uid_file = getenv("HOSTCHECK_TEST_UID_FILE");
	if (uid_file) {
		FILE *f = fopen(uid_file, "w");
		if (f) {
			fprintf(f, "%u\n", (unsigned)geteuid());
			fclose(f);
		}
	}
	const char *delay = getenv("HOSTCHECK_TEST_DNS_DELAY");
	if (delay)
		sleep((unsigned)atoi(delay));
	if (host && fake_ptr(sa, host, hostlen))
		return 0;
	nameinfo_fn *next = (nameinfo_fn *)dlsym(RTLD_NEXT, "getnameinfo");
	if (!next)
		return EAI_FAIL;
	return next(sa, salen, host, hostlen, serv, servlen, flags);
}
