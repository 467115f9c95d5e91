/* template.c: see template.h. */
#include "template.h"

#include <string.h>

struct out_buf {
	char *p;
	size_t len, size;
};

static bool put(struct out_buf *o, const char *s, size_t n)
{
	if (n >= o->size - o->len)
		return false;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
	return true;
}

static bool put_code(struct out_buf *o, char code, const struct template_vars *v)
{
	size_t ulen = strlen(v->user);
	switch (code) {
	case '%':
		return put(o, "%", 1);
	case 'u':
		return put(o, v->user, ulen);
	case '1':
	case '2': {
		size_t n = (size_t)(code - '0');
		return ulen > 0 && put(o, v->user, ulen < n ? ulen : n);
	}
	case 'd':
		return v->domain && put(o, v->domain, strlen(v->domain));
	case 'i':
		return v->ip && put(o, v->ip, strlen(v->ip));
	case 'h':
		return v->home && put(o, v->home, strlen(v->home));
	default:
		return false;
	}
}

bool template_expand(const char *template, const struct template_vars *vars,
		     char *out, size_t out_size)
{
	struct out_buf o = { out, 0, out_size };
	if (out_size == 0)
		return false;
	out[0] = '\0';
	for (const char *s = template; *s; s++) {
		bool ok = *s == '%' ? put_code(&o, *++s, vars) : put(&o, s, 1);
		if (!ok)
			return false;
	}
	return true;
}

bool template_uses(const char *template, char code)
{
	for (const char *s = template; *s; s++) {
		if (*s != '%')
			continue;
		if (*++s == code)
			return true;
		if (*s == '\0')
			break;
	}
	return false;
}
