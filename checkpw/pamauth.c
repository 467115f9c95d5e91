/* pamauth.c: see pamauth.h.
 * The conversation answers every prompt that asks for input with the
 * password, and ignores messages: there is no terminal, and no byte of
 * a module's text may reach the client. */
#include "pamauth.h"
#include "secret.h"
#include "sysauth.h"

#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

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
	struct pam_conv conv = { converse, (void *)login->secret };
	pam_handle_t *pamh = NULL;
	int rc = pam_start(service, login->whole, &conv, &pamh);
	if (rc != PAM_SUCCESS) {
		acct->why = "pam-start";
		return V_TEMP;
	}
	/* Linux-PAM takes the function through its void * item. */
	(void)pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)no_fail_delay);
	rc = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	acct->why = "badpass";
	if (rc == PAM_SUCCESS) {
		rc = pam_acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
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
		if (pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item &&
		    strlen(item) < sizeof name)
			strcpy(name, item);
		else
			v = V_TEMP;
	}
	pam_end(pamh, rc);
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
