/* vuser.c: see vuser.h.
 * Each attempt spends one crypt (the user's hash or the dummy) and, when
 * the secret is shaped like an APOP digest, one MD5 (one HMAC-MD5 for
 * CRAM-MD5), whether the user exists or not, so the answer's timing does
 * not tell names apart.  CRAM-MD5 needs the plain secret: a hashed one
 * refuses it. */
#include "vuser.h"
#include "creds.h"
#include "scan_num.h"
#include "secret.h"

#include <arpa/inet.h>
#include <cdb.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *next_field(const char *p, const char *end, size_t *len)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return NULL;
	*len = (size_t)(colon - p);
	return colon + 1;
}

/* Absolute or a template; no control characters, which would only
 * come from a damaged file and would reach MAILBOX and the logs. */
static bool path_field_ok(const char *s, size_t len, bool may_be_empty)
{
	if (len == 0)
		return may_be_empty;
	if (len >= PATH_LIMIT || (s[0] != '/' && s[0] != '%'))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool vuser_parse_record(const char *val, size_t len, struct vrecord *out)
{
	const char *end = val + len, *p = val, *f;
	size_t flen;

	if (len > VUSER_RECORD_MAX || memchr(val, '\0', len) ||
	    memchr(val, '\n', len))
		return false;
	f = p;
	if (!(p = next_field(p, end, &flen)) || !scan_u32(f, flen, &out->uid))
		return false;
	f = p;
	if (!(p = next_field(p, end, &flen)) || !scan_u32(f, flen, &out->gid))
		return false;
	out->home = p;
	if (!(p = next_field(p, end, &out->home_len)) ||
	    !path_field_ok(out->home, out->home_len, false))
		return false;
	out->mailbox = p;
	if (!(p = next_field(p, end, &out->mailbox_len)) ||
	    !path_field_ok(out->mailbox, out->mailbox_len, true))
		return false;
	out->secret = p;
	out->secret_len = (size_t)(end - p);
	if (out->secret_len == 0 || p[0] == '!' || p[0] == '*') {
		out->kind = SECRET_LOCKED;
	} else if (out->secret_len >= 7 && !memcmp(p, "{plain}", 7)) {
		out->kind = SECRET_PLAIN;
		out->secret += 7;
		out->secret_len -= 7;
	} else {
		out->kind = SECRET_HASH;
		if (memchr(p, ':', out->secret_len))
			return false;
	}
	return true;
}

bool vuser_parse_line(const char *line, size_t len, size_t *name_len,
		      struct vrecord *rec)
{
	const char *colon = memchr(line, ':', len);
	size_t at;
	if (!colon)
		return false;
	*name_len = (size_t)(colon - line);
	if (!login_split(line, *name_len, &at))
		return false;
	return vuser_parse_record(colon + 1, len - *name_len - 1, rec);
}

/* Lower-cased copy of a name from the environment; false if unsafe. */
static bool env_name(const char *value, char *out, size_t size)
{
	if (!value)
		return false;
	size_t n = strlen(value);
	if (n >= size || !name_ok(value, n, NAME_MAX_LEN))
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = value[i];
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return true;
}

/* TCPLOCALIP for %i: an IPv4 or IPv6 address as text, lower-cased.
 * name_ok() would refuse every IPv6 address for its ':'; an address
 * that inet_pton() takes has no '/' and no "..", so it is as safe. */
static bool env_ip(const char *value, char *out, size_t size)
{
	unsigned char addr[sizeof(struct in6_addr)];
	if (!value)
		return false;
	size_t n = strlen(value);
	if (n >= size || (inet_pton(AF_INET, value, addr) != 1 &&
			  inet_pton(AF_INET6, value, addr) != 1))
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = value[i];
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return true;
}

/* Copies N octets at S into a NUL-terminated DST of SIZE. */
static bool copy_n(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* The per-file dummy, or "" when the file has none. */
static void read_dummy(struct cdb *db, char *out, size_t size)
{
	out[0] = '\0';
	if (cdb_find(db, VUSER_DUMMY_KEY, sizeof VUSER_DUMMY_KEY - 1) > 0) {
		unsigned n = cdb_datalen(db);
		const char *v = cdb_get(db, n, cdb_datapos(db));
		if (v && !copy_n(out, size, v, n))
			out[0] = '\0';
	}
}

/* The cost every attempt pays apart from the real check. */
static void spend(const struct login *login, const char *dummy, bool crypt_too)
{
	char digest[33];
	if (login->cram)
		cram_digest(login->timestamp, login->timestamp_len, "", 0, digest);
	else if (login->apop_shaped)
		apop_digest(login->timestamp, login->timestamp_len, "", 0, digest);
	if (crypt_too) {
		if (dummy[0])
			(void)secret_check_crypt(login->secret, dummy);
		else
			secret_dummy(login->secret);
	}
}

static bool check_secret(const struct login *login, const struct vrecord *r,
			 const char *dummy, const char **why)
{
	char secret[VUSER_RECORD_MAX + 1];
	bool ok = false;

	if (!copy_n(secret, sizeof secret, r->secret, r->secret_len))
		return false;
	switch (r->kind) {
	case SECRET_LOCKED:
		spend(login, dummy, true);
		break;
	case SECRET_PLAIN:
		/* A 32-hex-digit secret with a <...> timestamp is an APOP
		 * digest or, for some callers, a password of that shape:
		 * either may match. */
		if (login->cram)
			ok = secret_check_cram(login->secret, login->secret_len,
					       login->timestamp,
					       login->timestamp_len, secret,
					       r->secret_len);
		else if (login->apop_shaped)
			ok = secret_check_apop(login->secret, login->secret_len,
					       login->timestamp,
					       login->timestamp_len, secret,
					       r->secret_len);
		if (!login->cram)
			ok |= ct_equal(login->secret, login->secret_len, secret,
				       r->secret_len);
		spend(login, dummy, true);
		break;
	case SECRET_HASH:
		spend(login, dummy, false);
		/* hashed anyway, so the refusal takes a known user's time */
		ok = secret_check_crypt(login->secret, secret) && !login->cram;
		break;
	}
	explicit_bzero(secret, sizeof secret);
	*why = r->kind == SECRET_LOCKED ? "locked" : ok ? "ok"
	       : login->cram && r->kind == SECRET_HASH ? "cram-needs-plain"
	       : "badpass";
	return ok;
}

static bool fill_account(const struct login *login, const struct vrecord *r,
			 const struct template_vars *vars, struct account *acct)
{
	char tmpl[PATH_LIMIT];
	struct template_vars v = *vars;

	/* USER names the account as the file does: user@domain, lower-case
	 * domain, whether or not the client typed the domain. */
	int n = snprintf(acct->user, sizeof acct->user, "%s%s%s", login->local,
			 v.domain ? "@" : "", v.domain ? v.domain : "");
	if (n < 0 || (size_t)n >= sizeof acct->user)
		return false;
	acct->system_name[0] = '\0';
	acct->uid = r->uid;
	acct->gid = r->gid;
	strcpy(acct->shell, "/bin/false");
	if (!copy_n(tmpl, sizeof tmpl, r->home, r->home_len) ||
	    !template_expand(tmpl, &v, acct->home, sizeof acct->home) ||
	    acct->home[0] != '/')
		return false;
	acct->mailbox[0] = '\0';
	if (r->mailbox_len == 0)
		return true;
	v.home = acct->home;
	return copy_n(tmpl, sizeof tmpl, r->mailbox, r->mailbox_len) &&
	       template_expand(tmpl, &v, acct->mailbox, sizeof acct->mailbox) &&
	       acct->mailbox[0] == '/';
}

/* Looks KEY up in the open DB and decides. */
static enum verdict lookup(struct cdb *db, const char *key,
			   const struct login *login,
			   const struct template_vars *vars, struct account *acct)
{
	char dummy[CRYPT_OUTPUT_SIZE];
	char value[VUSER_RECORD_MAX + 1];
	struct vrecord rec;

	read_dummy(db, dummy, sizeof dummy);
	int found = cdb_find(db, key, (unsigned)strlen(key));
	if (found <= 0) {
		spend(login, dummy, true);
		acct->why = found < 0 ? "db-unreadable" : "unknown";
		return found < 0 ? V_TEMP : V_UNKNOWN;
	}
	unsigned n = cdb_datalen(db);
	const char *stored = cdb_get(db, n, cdb_datapos(db));
	if (!stored || !copy_n(value, sizeof value, stored, n) ||
	    !vuser_parse_record(value, n, &rec)) {
		spend(login, dummy, true);
		acct->why = "bad-record";
		return V_TEMP;
	}
	enum verdict v = V_REFUSE;
	if (check_secret(login, &rec, dummy, &acct->why)) {
		v = V_ACCEPT;
		if (!fill_account(login, &rec, vars, acct)) {
			acct->why = "bad-record";
			v = V_TEMP;
		}
	}
	explicit_bzero(value, sizeof value);
	return v;
}

enum verdict vuser_check(const char *path_template, const struct login *login,
			 const char *localhost, const char *localip,
			 struct account *acct)
{
	char domain[256], ip[256], path[PATH_LIMIT];
	struct template_vars vars = { login->local, NULL, NULL, NULL };
	bool per_domain = template_uses(path_template, 'd') ||
			  template_uses(path_template, 'i');

	/* TCPLOCALHOST stands in for the domain only where the file is
	 * chosen by domain; a whole-login file keeps bare names bare. */
	if (login->domain[0])
		vars.domain = login->domain;
	else if (template_uses(path_template, 'd') &&
		 env_name(localhost, domain, sizeof domain))
		vars.domain = domain;
	if (env_ip(localip, ip, sizeof ip))
		vars.ip = ip;
	if (!template_expand(path_template, &vars, path, sizeof path)) {
		spend(login, "", true);
		acct->why = "no-domain";
		return V_UNKNOWN;
	}
	/* A missing file is a domain not served here; any other failure
	 * may pass, and must not turn into "no such user". */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bool missing = errno == ENOENT || errno == ENOTDIR;
		spend(login, "", true);
		acct->why = missing ? "no-such-file" : "db-unreadable";
		return missing ? V_UNKNOWN : V_TEMP;
	}
	struct cdb db;
	enum verdict v;
	if (cdb_init(&db, fd) != 0) {
		spend(login, "", true);
		acct->why = "db-unreadable";
		v = V_TEMP;
	} else {
		/* Keys: the local part in a domain's own file, else the
		 * login with its domain lower-cased, as the source has it. */
		char key[NAME_MAX_LEN + 2];
		strcpy(key, login->local);
		if (!per_domain && login->domain[0]) {
			strcat(key, "@");
			strcat(key, login->domain);
		}
		v = lookup(&db, key, login, &vars, acct);
		cdb_free(&db);
	}
	close(fd);
	return v;
}
