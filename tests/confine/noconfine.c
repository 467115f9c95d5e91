/* noconfine.so / nolandlock.so: preloaded into the glibc builds of the
 * session programs.  nolandlock.so answers Landlock's first call with
 * ENOSYS, as a kernel without Landlock does, to show the fallback.
 * noconfine.so also takes the seccomp filter as installed without
 * installing it, for valgrind: the filter would bind valgrind itself,
 * which runs in the same process and maps executable code. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

long syscall(long n, ...)
{
	va_list ap;
	long a[6];
	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_landlock_create_ruleset) {
		errno = ENOSYS;
		return -1;
	}
	long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

#ifdef NO_SECCOMP
int prctl(int option, ...)
{
	va_list ap;
	unsigned long a[4];
	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP)
		return 0;
	return (int)syscall(SYS_prctl, option, a[0], a[1], a[2], a[3]);
}
#endif
