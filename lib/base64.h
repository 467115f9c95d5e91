/* base64.h: strict RFC 4648 base64, for SASL responses and challenges.
 * Written here because Debian ships no small C library for it that the
 * chain could rely on (glibc's b64_pton is not public API).  Strict:
 * the length is a multiple of 4, padding only at the end, no spaces, and
 * the unused bits of the last group are zero, so one input has exactly
 * one meaning. */
#ifndef BASE64_H
#define BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* The most octets that LEN characters of base64 can decode to. */
#define BASE64_DECODED_MAX(len) (((len) / 4) * 3)

/* Decodes IN (LEN characters) into OUT (room for CAP octets).
 * Returns false on any malformed input or if OUT is too small;
 * *OUTLEN is then 0. */
bool base64_decode(const char *in, size_t len, unsigned char *out,
	size_t cap, size_t *outlen);

/* The room base64_encode needs for LEN octets, with the NUL. */
#define BASE64_ENCODED_SIZE(len) (((len) + 2) / 3 * 4 + 1)

/* Encodes IN (LEN octets) into OUT as a NUL-terminated string, padded.
 * False (OUT untouched) unless CAP holds 4 characters for each 3 octets,
 * rounded up, and the NUL. */
bool base64_encode(const unsigned char *in, size_t len, char *out, size_t cap);

#endif
