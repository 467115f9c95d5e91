/* pamauth.c: see pamauth.h.
 * The conversation answers every prompt that asks for input with the
 * password, and ignores messages: there is no terminal, and no byte of
 * a module's text may reach the client.
 *
 * libpam is loaded here, when a PAM backend is first asked, not linked:
 * linked, it and what it needs (libaudit, libcap-ng, their constructors)
 * were mapped and run at every start, also for the system and virtual
 * backends that never use them.  The functions are looked up in the
 * global scope (RTLD_DEFAULT), not in the library's handle, so that a
 * preloaded library (pam_wrapper in the tests) still comes first, as it
 * would for a linked program. */
#include "pamauth.h"
#include "die.h"
#include "secret.h"
#include "sysauth.h"

#include <dlfcn.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

#define LIBPAM_SONAME "libpam.so.0"

typedef int start_fn(const char *, const char *, const struct pam_conv *,
		     pam_handle_t **);
typedef int set_item_fn(pam_handle_t *, int, const void *);
typedef int get_item_fn(const pam_handle_t *, int, const void **);
typedef int flags_fn(pam_handle_t *, int);
typedef int end_fn(pam_handle_t *, int);

/* The types above are checked against <security/pam_appl.h> without
 * naming the functions in code (a _Generic operand is not evaluated), so
 * the program needs no link to libpam. */
#define SAME_TYPE(fn, type) _Generic(&(fn), type *: 1, default: 0)
_Static_assert(SAME_TYPE(pam_start, start_fn), "pam_start");
_Static_assert(SAME_TYPE(pam_set_item, set_item_fn), "pam_set_item");
_Static_assert(SAME_TYPE(pam_get_item, get_item_fn), "pam_get_item");
_Static_assert(SAME_TYPE(pam_authenticate, flags_fn), "pam_authenticate");
_Static_assert(SAME_TYPE(pam_acct_mgmt, flags_fn), "pam_acct_mgmt");
_Static_assert(SAME_TYPE(pam_end, end_fn), "pam_end");

static struct {
	start_fn *start;
	set_item_fn *set_item;
	get_item_fn *get_item;
	flags_fn *authenticate;
	flags_fn *acct_mgmt;
	end_fn *end;
} pam;

/* Loads libpam once; false (and one log line) if it or one of its
 * functions is missing.  The backend then answers "temporary failure"
 * (why=pam-load), never an accept or a refusal of its own. */
static bool pam_load(void)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	if (state)
		return state > 0;
	state = -1;
	/* RTLD_GLOBAL: the modules libpam loads later find libpam's own
	 * functions (pam_get_item ...) in the global scope, as they did
	 * when it was linked. */
	if (!dlopen(LIBPAM_SONAME, RTLD_NOW | RTLD_GLOBAL)) {
		const char *e = dlerror();
		logline("error op=dlopen lib=%s reason=\"%s\"", LIBPAM_SONAME,
			e ? e : "?");
		return false;
	}
	pam.start = (start_fn *)dlsym(RTLD_DEFAULT, "pam_start");
	pam.set_item = (set_item_fn *)dlsym(RTLD_DEFAULT, "pam_set_item");
	pam.get_item = (get_item_fn *)dlsym(RTLD_DEFAULT, "pam_get_item");
	pam.authenticate = (flags_fn *)dlsym(RTLD_DEFAULT, "pam_authenticate");
	pam.acct_mgmt = (flags_fn *)dlsym(RTLD_DEFAULT, "pam_acct_mgmt");
	pam.end = (end_fn *)dlsym(RTLD_DEFAULT, "pam_end");
	if (!pam.start || !pam.set_item || !pam.get_item || !pam.authenticate ||
	    !pam.acct_mgmt || !pam.end) {
		logline("error op=dlsym lib=%s reason=\"a PAM function is missing\"",
			LIBPAM_SONAME);
		return false;
	}
	state = 1;
	return true;
}

static void free_replies(struct pam_response *r, int n)
{
	for (int i = 0; i < n; i++) {
		if (r[i].resp) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

static int converse(int n, const struct pam_message **msg,
		    struct pam_response **resp, void *data)
{
	const char *password = data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	struct pam_response *r = calloc((size_t)n, sizeof *r);
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		int style = msg[i]->msg_style;
		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			continue;
		r[i].resp = strdup(password);
		if (!r[i].resp) {
			free_replies(r, n);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* Modules such as pam_unix ask for a delay after a failure; pop3login
 * has its own failure delay, so PAM's is not added to it. */
static void no_fail_delay(int status, unsigned usec, void *data)
{
	(void)status, (void)usec, (void)data;
}

/* Which PAM answers mean "no" and which mean "cannot say now". */
static enum verdict classify(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return V_ACCEPT;
	case PAM_USER_UNKNOWN:
		return V_UNKNOWN;
	case PAM_AUTH_ERR:
	case PAM_PERM_DENIED:
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
		return V_REFUSE;
	default:
		return V_TEMP;
	}
}

enum verdict pamauth_check(const char *service, const struct login *login,
			   struct account *acct)
{
	/* PAM asks for a password and gives no secret to compute with */
	if (login->cram) {
		secret_dummy(login->secret);
		acct->why = "cram-needs-plain";
		return V_REFUSE;
	}
	if (!pam_load()) {
		acct->why = "pam-load";
		return V_TEMP;
	}
	struct pam_conv conv = { converse, (void *)login->secret };
	pam_handle_t *pamh = NULL;
	int rc = pam.start(service, login->whole, &conv, &pamh);
	if (rc != PAM_SUCCESS) {
		acct->why = "pam-start";
		return V_TEMP;
	}
	/* Linux-PAM takes the function through its void * item. */
	(void)pam.set_item(pamh, PAM_FAIL_DELAY, (const void *)no_fail_delay);
	rc = pam.authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	acct->why = "badpass";
	if (rc == PAM_SUCCESS) {
		rc = pam.acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
		acct->why = "account";
	}
	enum verdict v = classify(rc);
	if (v == V_TEMP)
		acct->why = "pam-error";
	/* pam_unix answers an unknown name at once but hashes for a known
	 * one: the dummy hash keeps the time from telling them apart. */
	if (v == V_UNKNOWN) {
		secret_dummy(login->secret);
		acct->why = "unknown";
	}
	char name[256] = "";
	if (v == V_ACCEPT) {
		/* A module may map the login to another account name. */
		const void *item = NULL;
		if (pam.get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item &&
		    strlen(item) < sizeof name)
			strcpy(name, item);
		else
			v = V_TEMP;
	}
	pam.end(pamh, rc);
	if (v != V_ACCEPT)
		return v;
	v = sysauth_fill(name, acct);
	if (v == V_UNKNOWN) {
		acct->why = "no-passwd-entry";
		return V_REFUSE;
	}
	if (v == V_TEMP)
		acct->why = "passwd-unreadable";
	else
		acct->why = "ok";
	return v;
}
