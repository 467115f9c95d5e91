/* scan_num.h: strict decimal numbers from untrusted text.
 * Only the digits 0-9, at least one, no sign, no space, no overflow:
 * "4294967297" is not a u32, "+1", " 1", "1x" and "" are not numbers. */
#ifndef SCAN_NUM_H
#define SCAN_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool scan_u64(const char *s, size_t len, uint64_t *out);
bool scan_u32(const char *s, size_t len, uint32_t *out);
/* Formats N into BUF (at least 21 bytes), returns the length. */
size_t fmt_u64(char *buf, uint64_t n);

#endif
