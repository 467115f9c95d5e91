/* checkpw_pamleak.so: a PAM module for tests/checkpw_pam.bats that does
 * what careless modules do: opens a file as root without close-on-exec
 * and leaves it open.  checkpw must close it before it runs PROG.  It
 * answers PAM_IGNORE, so the rest of the stack decides. */
#define PAM_SM_AUTH
#include <fcntl.h>
#include <security/pam_modules.h>

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
			const char **argv);
int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv);

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
			const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	(void)open("/etc/shadow", O_RDONLY);
	return PAM_IGNORE;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_IGNORE;
}
