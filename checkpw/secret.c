/* secret.c: see secret.h.  Hashes come from libxcrypt, MD5 from libmd. */
#include "secret.h"

#include <crypt.h>
#include <md5.h>
#include <string.h>

/* struct crypt_data is large (about 32 KiB): one static copy, since
 * checkpw checks one login per process. */
static struct crypt_data crypt_scratch;
static char dummy_setting[CRYPT_OUTPUT_SIZE];

bool ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char *pa = a, *pb = b;
	size_t n = alen < blen ? alen : blen;
	unsigned char diff = alen != blen;
	for (size_t i = 0; i < n; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}

/* A method libxcrypt knows and may hash with; legacy methods (MD5, DES)
 * still count, so that a site with such hashes can match them. */
static bool setting_known(const char *setting)
{
	int r = crypt_checksalt(setting);
	return r == CRYPT_SALT_OK || r == CRYPT_SALT_METHOD_LEGACY ||
	       r == CRYPT_SALT_TOO_CHEAP;
}

/* "$id$" and nothing more: a prefix, not a setting ($y$ and $2b$ cannot
 * hash without their parameters). */
static bool bare_prefix(const char *s)
{
	if (s[0] != '$' || s[1] == '\0')
		return false;
	const char *end = strchr(s + 1, '$');
	return end && end[1] == '\0';
}

bool secret_dummy_init(const char *setting)
{
	/* No hashing here: most logins are of known users and pay for their
	 * own hash only (yescrypt's is 16 MiB and milliseconds). */
	if (!setting)
		return crypt_gensalt_rn(NULL, 0, NULL, 0, dummy_setting,
					sizeof dummy_setting) != NULL;
	if (strlen(setting) >= sizeof dummy_setting || !setting_known(setting))
		return false;
	if (bare_prefix(setting))
		return crypt_gensalt_rn(setting, 0, NULL, 0, dummy_setting,
					sizeof dummy_setting) != NULL;
	strcpy(dummy_setting, setting);
	return true;
}

static bool hash_usable(const char *hash)
{
	return hash[0] != '\0' && hash[0] != '!' && hash[0] != '*';
}

bool secret_dummy_usable(const char *hash)
{
	/* Not a legacy method: an old MD5 or DES hash first in shadow must
	 * not make unknown users cheap next to yescrypt or SHA-512 ones. */
	return hash_usable(hash) && crypt_checksalt(hash) == CRYPT_SALT_OK;
}

bool secret_check_crypt(const char *password, const char *hash)
{
	if (!hash_usable(hash))
		return secret_dummy(password);
	const char *out = crypt_rn(password, hash, &crypt_scratch,
				   sizeof crypt_scratch);
	bool ok = out && out[0] != '*' &&
		  ct_equal(out, strlen(out), hash, strlen(hash));
	explicit_bzero(&crypt_scratch, sizeof crypt_scratch);
	return ok;
}

bool secret_dummy(const char *password)
{
	if (dummy_setting[0] == '\0' && !secret_dummy_init(NULL))
		return false;
	const char *out = crypt_rn(password, dummy_setting, &crypt_scratch,
				   sizeof crypt_scratch);
	/* A setting crypt_checksalt passed but crypt cannot use (a yescrypt
	 * or bcrypt salt of the wrong shape): spend the default method's
	 * hash instead, so that the refusal still costs one. */
	if ((!out || out[0] == '*') &&
	    crypt_gensalt_rn(NULL, 0, NULL, 0, dummy_setting,
			     sizeof dummy_setting))
		(void)crypt_rn(password, dummy_setting, &crypt_scratch,
			       sizeof crypt_scratch);
	explicit_bzero(&crypt_scratch, sizeof crypt_scratch);
	return false;
}

static void to_hex(const unsigned char digest[MD5_DIGEST_LENGTH], char out[33])
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[32] = '\0';
}

void apop_digest(const char *timestamp, size_t timestamp_len,
		 const char *secret, size_t secret_len, char out[33])
{
	unsigned char digest[MD5_DIGEST_LENGTH];
	MD5_CTX ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, (const unsigned char *)timestamp, timestamp_len);
	MD5Update(&ctx, (const unsigned char *)secret, secret_len);
	MD5Final(digest, &ctx);
	to_hex(digest, out);
	explicit_bzero(&ctx, sizeof ctx);
	explicit_bzero(digest, sizeof digest);
}

/* RFC 2104 with MD5, B = 64: a key longer than a block is hashed first. */
void cram_digest(const char *challenge, size_t challenge_len,
		 const char *secret, size_t secret_len, char out[33])
{
	enum { BLOCK = 64 };
	unsigned char key[BLOCK] = { 0 }, pad[BLOCK], inner[MD5_DIGEST_LENGTH];
	unsigned char digest[MD5_DIGEST_LENGTH];
	MD5_CTX ctx;

	if (secret_len > BLOCK) {
		MD5Init(&ctx);
		MD5Update(&ctx, (const unsigned char *)secret, secret_len);
		MD5Final(key, &ctx);
	} else {
		memcpy(key, secret, secret_len);
	}
	for (size_t i = 0; i < BLOCK; i++)
		pad[i] = key[i] ^ 0x36;
	MD5Init(&ctx);
	MD5Update(&ctx, pad, BLOCK);
	MD5Update(&ctx, (const unsigned char *)challenge, challenge_len);
	MD5Final(inner, &ctx);
	for (size_t i = 0; i < BLOCK; i++)
		pad[i] = key[i] ^ 0x5c;
	MD5Init(&ctx);
	MD5Update(&ctx, pad, BLOCK);
	MD5Update(&ctx, inner, sizeof inner);
	MD5Final(digest, &ctx);
	to_hex(digest, out);
	explicit_bzero(key, sizeof key);
	explicit_bzero(pad, sizeof pad);
	explicit_bzero(inner, sizeof inner);
	explicit_bzero(digest, sizeof digest);
	explicit_bzero(&ctx, sizeof ctx);
}

/* The client's 32 hex digits (either case) against EXPECT, in time that
 * does not depend on where they differ. */
static bool digest_matches(const char *digest, size_t digest_len,
			   const char expect[33])
{
	char given[32];
	if (digest_len != 32)
		return false;
	for (size_t i = 0; i < 32; i++) {
		char c = digest[i];
		given[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	bool ok = ct_equal(expect, 32, given, 32);
	explicit_bzero(given, sizeof given);
	return ok;
}

bool secret_check_apop(const char *digest, size_t digest_len,
		       const char *timestamp, size_t timestamp_len,
		       const char *secret, size_t secret_len)
{
	char expect[33];
	apop_digest(timestamp, timestamp_len, secret, secret_len, expect);
	bool ok = digest_matches(digest, digest_len, expect);
	explicit_bzero(expect, sizeof expect);
	return ok;
}

bool secret_check_cram(const char *digest, size_t digest_len,
		       const char *challenge, size_t challenge_len,
		       const char *secret, size_t secret_len)
{
	char expect[33];
	cram_digest(challenge, challenge_len, secret, secret_len, expect);
	bool ok = digest_matches(digest, digest_len, expect);
	explicit_bzero(expect, sizeof expect);
	return ok;
}
