/* fault.h: crash points for the write-back tests.
 *
 * MBOXSPLIT_FAULT=STAGE:N kills the process with SIGKILL the Nth time
 * it reaches fault point STAGE ("any" counts every point), so a test can
 * stop a write-back at each step and check that the mailbox is either
 * as it was or as the finished session leaves it.  Unset: no cost but
 * one comparison per point.  Killing oneself harms no mail by design,
 * so the variable needs no protection. */
#ifndef MBOX_FAULT_H
#define MBOX_FAULT_H

void fault_init(void);
void fault_point(const char *stage);

#endif
