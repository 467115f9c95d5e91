/* writeback.h: removing deleted messages from an mbox without ever
 * writing over it (doc/mbox-writeback.md gives the algorithm and why it
 * is safe).
 *
 * Called with the spool locks held.  Checks that the mailbox changed
 * only by appending since it was indexed, writes the kept messages and
 * whatever was appended into the spool helper's new file (spool.h),
 * which has the mailbox's group and mode, fsyncs it, and has the helper
 * rename it over the mailbox and fsync the directory.  On any failure the new
 * file is removed and the mailbox is as it was. */
#ifndef MBOX_WRITEBACK_H
#define MBOX_WRITEBACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "index.h"

#define WB_COPY_CHUNK (8u << 20)   /* bytes per copy_file_range call */
/* Writeback of the new file is started every WB_FLUSH_SPAN octets, at
 * multiples of WB_FLUSH_ALIGN (a block, and a page on most machines).
 * On a 213 MB mbox, steps of 2 to 16 MiB gave the same QUIT time; the
 * smaller the step, the less is left for the final fsync. */
#define WB_FLUSH_SPAN (4u << 20)
#define WB_FLUSH_ALIGN 4096u

enum wb_result {
	WB_DONE = 0,
	WB_CHANGED,      /* changed other than by appending: nothing done */
	WB_FAILED,       /* a system error (errno set), nothing done */
};

#define WB_MARK_HEADER_MAX 65536  /* larger headers are not marked read */

struct wb_stats {
	uint64_t deleted, marked, kept_bytes, appended_bytes;
};

/* FD is the mailbox as indexed into IX (messages to remove carry
 * MBOX_TAG_DELETED).  With MARK_READ, kept messages that carry
 * MBOX_TAG_RETRIEVED get the header "Status: RO" (any other Status:
 * line is replaced; headers over WB_MARK_HEADER_MAX are left alone);
 * every other byte is kept.  Nothing deleted and nothing to mark:
 * WB_DONE with no file written.  PEER_FD (or -1) is the control socket
 * to pop3d: if pop3d has hung up by the time the new file is ready (it
 * gave up waiting, and has told the client nothing changed), the
 * rename is not made (WB_FAILED, errno EPIPE). */
enum wb_result writeback(const char *mailbox, int fd, struct mbox_index *ix,
                         int mark_read, int peer_fd, struct wb_stats *stats,
                         const char **what);

#endif
