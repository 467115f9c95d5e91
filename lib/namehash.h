/* namehash.h: the hash of a name (a UID, a Maildir file name) for the
 * open-addressing tables of maildirscan and pop3d.
 *
 * Names are ~30 octets and each is hashed once, so the hash takes 8
 * octets a step, then mixes the result so that both the low bits (the
 * slot) and the high bits (a fingerprint kept beside the index) depend
 * on every octet.  It is unkeyed: names made to collide (X-UIDL headers
 * are a sender's choice) lengthen the probes, which costs time, never a
 * wrong answer, since every table compares the names themselves. */
#ifndef NAMEHASH_H
#define NAMEHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t name_hash(const char *name, size_t len);

#endif
