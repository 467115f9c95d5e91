/* uidlformat.h: which server's UIDLs an exposer keeps (UIDL_FORMAT in
 * the environment, doc/interfaces.md).  A site that switches from
 * another POP3 server sets it so that its users' clients see the ids
 * they already know and download nothing twice. */
#ifndef UIDLFORMAT_H
#define UIDLFORMAT_H

enum uidl_format {
	UIDL_OWN,     /* the toolkit's ids (X-UIDL kept where present) */
	UIDL_DOVECOT, /* pop3_uidl_format %08Xu%08Xv, saved pop3_uidl */
	UIDL_POPA3D,  /* popa3d's header digest (mbox) */
	UIDL_QMAIL,   /* the Maildir file name up to ':' (qmail-pop3d) */
	UIDL_COURIER, /* as qmail, or courierpop3dsizelist (Maildir) */
	UIDL_XUIDL,   /* the X-UIDL header (qpopper, mpopd) */
};

/* The format UIDL_FORMAT names: unset or empty is UIDL_OWN.  Returns
 * -1 for a value that names no format; the caller refuses the session
 * rather than serve ids the clients do not know. */
int uidl_format_from_env(void);

/* The name UIDL_FORMAT uses for F ("own" for UIDL_OWN). */
const char *uidl_format_name(enum uidl_format f);

#endif
