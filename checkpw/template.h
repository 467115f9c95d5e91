/* template.h: %-templates for paths, e.g. /var/spool/popmail/%1/%d/%u.
 *   %u  the user (the part before @)    %d  the domain (after @)
 *   %1  the user's first octet          %2  its first two octets
 *   %h  the home directory              %i  TCPLOCALIP (file names)
 *   %%  a percent sign
 * The values are name_ok() names (so no "/" and no ".."), except %h,
 * which comes from a trusted file.  Any other % sequence, a %d with no
 * domain or a result of PATH_LIMIT octets or more is an error. */
#ifndef CHECKPW_TEMPLATE_H
#define CHECKPW_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

enum { PATH_LIMIT = 1024 };

struct template_vars {
	const char *user;    /* required */
	const char *domain;  /* NULL when the login had none */
	const char *home;    /* NULL where there is none yet */
	const char *ip;      /* the local address; NULL if unknown */
};

/* Expands TEMPLATE into OUT (OUT_SIZE octets, NUL-terminated). */
bool template_expand(const char *template, const struct template_vars *vars,
		     char *out, size_t out_size);

/* True if TEMPLATE uses the %-code CODE ('d', 'u', ...). */
bool template_uses(const char *template, char code);

#endif
