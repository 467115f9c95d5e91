/* fault.h: crash points for the write-back tests.
 *
 * A fault point marks a step of locking or write-back (dotlocked,
 * locked, verify, create, copy, chmod, fsync, rename, renamed, dirsync,
 * unlock) where the crash tests kill mboxsplit, to check that the
 * mailbox is then either as it was or as the finished session leaves it.
 * Only the test build, $(B)/tests/mboxsplit-fault (tests/fault/fault.mk),
 * is compiled with MBOX_FAULT_POINTS and linked with the code that
 * decides when to kill (tests/fault/mboxfault.c).  In the installed
 * mboxsplit a fault point is nothing at all: no call, no stage name, no
 * environment variable that changes what it does. */
#ifndef MBOX_FAULT_H
#define MBOX_FAULT_H

#ifdef MBOX_FAULT_POINTS
void fault_point(const char *stage);
#else
#define fault_point(stage) ((void)0)
#endif

#endif
