/* sysauth.c: see sysauth.h.
 * Every path costs one hash: an unknown user and a locked account run the
 * dummy, so the time to refuse does not tell which names exist. */
#include "sysauth.h"
#include "secret.h"

#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <string.h>

static bool copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

enum verdict sysauth_fill(const char *name, struct account *acct)
{
	errno = 0;
	struct passwd *pw = getpwnam(name);
	if (!pw)
		return (errno == 0 || errno == ENOENT || errno == ESRCH)
			       ? V_UNKNOWN : V_TEMP;
	if (!copy(acct->system_name, sizeof acct->system_name, pw->pw_name) ||
	    !copy(acct->user, sizeof acct->user, pw->pw_name) ||
	    !copy(acct->home, sizeof acct->home, pw->pw_dir) ||
	    !copy(acct->shell, sizeof acct->shell,
		  pw->pw_shell[0] ? pw->pw_shell : "/bin/sh"))
		return V_TEMP;
	acct->uid = pw->pw_uid;
	acct->gid = pw->pw_gid;
	acct->mailbox[0] = '\0';
	return V_ACCEPT;
}

/* Bounded: with an NSS source that enumerates a directory service, the
 * scan must stay cheap, and a site's first entries show its method. */
#define DUMMY_SCAN_MAX 64
#define SHADOW_FILE "/etc/shadow"

/* /etc/shadow is read first, as a file: asked through NSS, endspent()
 * goes to every source in nsswitch.conf, and Debian's default "shadow:
 * files systemd" would load libnss_systemd at every login just to be
 * told the enumeration ended.  NSS is asked only when
 * the file has no usable hash (shadow kept elsewhere). */
static bool dummy_from_file(char *out, size_t size)
{
	bool found = false;
	FILE *f = fopen(SHADOW_FILE, "re");
	if (!f)
		return false;
	for (int i = 0; i < DUMMY_SCAN_MAX && !found; i++) {
		struct spwd *sp = fgetspent(f);
		if (!sp)
			break;
		if (secret_dummy_usable(sp->sp_pwdp))
			found = copy(out, size, sp->sp_pwdp);
	}
	fclose(f);
	return found;
}

bool sysauth_dummy_setting(char *out, size_t size)
{
	if (dummy_from_file(out, size))
		return true;
	bool found = false;
	setspent();
	for (int i = 0; i < DUMMY_SCAN_MAX && !found; i++) {
		struct spwd *sp = getspent();
		if (!sp)
			break;
		if (secret_dummy_usable(sp->sp_pwdp))
			found = copy(out, size, sp->sp_pwdp);
	}
	endspent();
	return found;
}

bool shadow_expired(long today, long lastchg, long max, long inact,
		    long expire)
{
	(void)inact;
	if (expire >= 0 && today >= expire)
		return true;
	/* A password that must be changed (last change 0, or older than its
	 * maximum age) cannot be changed over POP3; pam_unix's account
	 * check says the same.  The inactive period only delays the lock
	 * for interactive logins that can change it. */
	if (lastchg == 0)
		return true;
	if (lastchg > 0 && max >= 0 && today > lastchg + max)
		return true;
	return false;
}

enum verdict sysauth_check(const struct login *login, time_t now,
			   struct account *acct)
{
	/* System names have no domain part. */
	if (login->domain[0]) {
		secret_dummy(login->secret);
		acct->why = "unknown";
		return V_UNKNOWN;
	}
	enum verdict v = sysauth_fill(login->local, acct);
	/* Looked up for unknown users too, so both paths read shadow. */
	errno = 0;
	struct spwd *sp = getspnam(login->local);
	int sp_errno = errno;
	if (v != V_ACCEPT) {
		secret_dummy(login->secret);
		acct->why = v == V_UNKNOWN ? "unknown" : "passwd-unreadable";
		return v;
	}
	const char *hash = ""; /* no shadow entry: treat as locked */
	bool expired = false;
	if (sp) {
		hash = sp->sp_pwdp;
		long today = (long)(now / 86400);
		expired = shadow_expired(today, sp->sp_lstchg, sp->sp_max,
					 sp->sp_inact, sp->sp_expire);
	} else if (sp_errno != 0 && sp_errno != ENOENT && sp_errno != ESRCH) {
		secret_dummy(login->secret);
		acct->why = "shadow-unreadable";
		return V_TEMP;
	} else {
		struct passwd *pw = getpwnam(login->local);
		if (pw && strcmp(pw->pw_passwd, "x") != 0)
			hash = pw->pw_passwd;
	}
	bool ok = secret_check_crypt(login->secret, hash);
	if (hash[0] == '\0' || hash[0] == '!' || hash[0] == '*') {
		acct->why = "locked";
		return V_REFUSE;
	}
	/* shadow holds hashes, never the secret CRAM-MD5 needs; the hash
	 * above was spent so that the refusal takes a known user's time */
	if (login->cram) {
		acct->why = "cram-needs-plain";
		return V_REFUSE;
	}
	if (!ok) {
		acct->why = "badpass";
		return V_REFUSE;
	}
	if (expired) {
		acct->why = "expired";
		return V_REFUSE;
	}
	acct->why = "ok";
	return V_ACCEPT;
}
