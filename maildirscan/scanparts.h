/* scanparts.h: what the pieces of scan_maildir() (scan.h) share, and
 * the steps each piece gives it.  For scan*.c, newmail.c, order.c and
 * duplicates.c only: maildirscan.c sees scan.h. */
#ifndef SCANPARTS_H
#define SCANPARTS_H

#include "scan.h"

#include <dirent.h>
#include <stdint.h>

/* scan.c: the arena of names and ids, and reading a directory. */
uint32_t scan_arena_add(struct scan *s, const char *str, size_t len);
/* A directory read from its start; dies on a read error. */
struct scan_dir {
	int fd;
	char *buf;
	size_t len, pos;
};
struct scan_dir *scan_dir_open(int fd, const char *what);
struct dirent *scan_dir_next(struct scan_dir *d, const char *what);
void scan_dir_close(struct scan_dir *d);
int scan_entry_is_file(int dir_fd, const struct dirent *e);

/* newmail.c: tmp/ and new/, before cur/ is listed. */
void scan_clean_tmp(struct scan *s, int64_t now);
void scan_move_new(struct scan *s);

/* order.c: the list in delivery order. */
void scan_sort_by_delivery(struct scan *s);

/* duplicates.c: one entry per id. */
void scan_drop_duplicate_names(struct scan *s);
void scan_number_duplicate_digests(struct scan *s);
/* The table both use: SLOTS (returned, calloc'd, *MASK + 1 of them)
 * hold index + 1 into s->msgs; scan_uid_slot() finds UID's slot, or the
 * empty one where it would go. */
uint32_t *scan_id_table(size_t count, size_t *mask);
size_t scan_uid_slot(const struct scan *s, const uint32_t *table,
                     size_t mask, const char *uid, size_t len);

/* oldids.c: the ids another server gave (UIDL_FORMAT, olduidl.h) in
 * place of the own ones where known, then every id made unique. */
void scan_old_ids(struct scan *s, int uidl_format);

#endif
