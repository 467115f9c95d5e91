/* cache.h: an optional index cache (mboxsplit -c), so that a mailbox that
 * has not changed since the last session is not read again: a client
 * that leaves mail on the server and polls costs a few hundred bytes a
 * message instead of the whole file.
 *
 * The cache holds the index and the mailbox's device, inode, size,
 * mtime and ctime (which no user can set back); it is used only if all
 * of them are equal now, and if every range in it lies inside the file.
 * Any write to the mailbox, even one that keeps its size and mtime,
 * changes its ctime, so a stale cache is never used.  It is written by
 * temp file and rename, mode 0600, and a bad or foreign cache file is
 * simply not used. */
#ifndef MBOX_CACHE_H
#define MBOX_CACHE_H

#include <sys/stat.h>

#include "index.h"

/* 0 and IX filled if PATH holds the index of the file ST describes,
 * indexed with IX's flags; -1 otherwise (IX left empty). */
int cache_load(const char *path, const struct stat *st, struct mbox_index *ix);

/* Writes IX (of the file ST describes) to PATH; 0, or -1 with errno. */
int cache_save(const char *path, const struct stat *st, const struct mbox_index *ix);

#endif
