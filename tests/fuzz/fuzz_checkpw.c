/* fuzz_checkpw: the one client-derived input root parses, the fd 3
 * credentials, through the same path checkpw takes before any lookup:
 * creds_parse, login_split, the APOP shape test and a %-template with the
 * name; and the same bytes as a virtual-user record and source line. */
#include "../../checkpw/creds.h"
#include "../../checkpw/template.h"
#include "../../checkpw/vuser.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_login(const struct creds *c)
{
	char local[NAME_MAX_LEN + 1], domain[NAME_MAX_LEN + 1], out[PATH_LIMIT];
	size_t at;
	if (!login_split(c->user, c->user_len, &at))
		return;
	/* What passed must be safe in a path: no "/", no "..". */
	if (memchr(c->user, '/', c->user_len) ||
	    memmem(c->user, c->user_len, "..", 2))
		__builtin_trap();
	memcpy(local, c->user, at);
	local[at] = '\0';
	domain[0] = '\0';
	if (at < c->user_len) {
		memcpy(domain, c->user + at + 1, c->user_len - at - 1);
		domain[c->user_len - at - 1] = '\0';
	}
	struct template_vars v = { local, domain[0] ? domain : NULL, "/h", NULL };
	(void)template_expand("/var/spool/popmail/%1/%2/%d/%u", &v, out,
			      sizeof out);
	(void)creds_is_apop_shaped(c);
	/* a fourth field lies inside the buffer and ends at its last NUL */
	if (c->method && (c->method_len == 0 || c->method[c->method_len] != '\0'))
		__builtin_trap();
	(void)creds_method_is(c, CREDS_CRAM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct creds c;
	struct vrecord r;
	size_t name_len;

	if (creds_parse(buf, size, &c))
		check_login(&c);
	if (vuser_parse_record(buf, size, &r) && r.secret + r.secret_len > buf + size)
		__builtin_trap();
	(void)vuser_parse_line(buf, size, &name_len, &r);
	return 0;
}
