/* secret.h: comparing what the client sent with what is stored.
 * Every comparison takes time that depends on the lengths only, never on
 * where the first difference is; a refused login still spends one hash
 * (the dummy) so that unknown and known users answer alike. */
#ifndef CHECKPW_SECRET_H
#define CHECKPW_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Equal contents and lengths, in time that depends on the lengths only. */
bool ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* Sets the setting used by secret_dummy(): a whole hash or setting, or a
 * bare prefix such as "$y$" (given a fresh salt at the method's default
 * cost); NULL picks libxcrypt's default method at its default cost.
 * Hashes nothing: the setting is checked with crypt_checksalt().  False
 * if libxcrypt does not know the method or has it disabled. */
bool secret_dummy_init(const char *setting);

/* True if HASH (a stored hash) may serve as the default dummy setting:
 * not locked, of a method libxcrypt knows and does not deem legacy (so
 * not MD5 or DES crypt). */
bool secret_dummy_usable(const char *hash);

/* Hashes PASSWORD with HASH's setting and compares with HASH.  False for
 * an unusable hash (empty, locked "!" or "*", unknown method). */
bool secret_check_crypt(const char *password, const char *hash);

/* Spends the time of one hash and returns false. */
bool secret_dummy(const char *password);

/* APOP (RFC 1939): the 32 hex digits DIGEST equal MD5(TIMESTAMP SECRET)
 * in lower-case hex (DIGEST may be upper-case). */
bool secret_check_apop(const char *digest, size_t digest_len,
		       const char *timestamp, size_t timestamp_len,
		       const char *secret, size_t secret_len);

/* Writes MD5(TIMESTAMP SECRET) as 32 lower-case hex digits and a NUL. */
void apop_digest(const char *timestamp, size_t timestamp_len,
		 const char *secret, size_t secret_len, char out[33]);

/* CRAM-MD5 (RFC 2195): the 32 hex digits DIGEST equal HMAC-MD5 keyed
 * with SECRET over CHALLENGE (DIGEST may be upper-case). */
bool secret_check_cram(const char *digest, size_t digest_len,
		       const char *challenge, size_t challenge_len,
		       const char *secret, size_t secret_len);

/* Writes HMAC-MD5(SECRET, CHALLENGE) as 32 lower-case hex digits and a NUL. */
void cram_digest(const char *challenge, size_t challenge_len,
		 const char *secret, size_t secret_len, char out[33]);

#endif
