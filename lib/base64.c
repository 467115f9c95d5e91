/* base64.c: see base64.h. */
#include "base64.h"

/* The 6-bit value of an alphabet character, or -1. */
static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool base64_decode(const char *in, size_t len, unsigned char *out,
	size_t cap, size_t *outlen)
{
	size_t n = 0;
	*outlen = 0;
	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + k];
			if (c == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0)
				return false; /* data after '=' */
			v[k] = sextet(c);
			if (v[k] < 0)
				return false;
		}
		unsigned long group = ((unsigned long)v[0] << 18)
			| ((unsigned long)v[1] << 12) | ((unsigned long)v[2] << 6)
			| (unsigned long)v[3];
		size_t octets = 3 - (size_t)pad;
		/* non-canonical: bits that the padding hides must be zero */
		if ((pad == 1 && (group & 0xff)) || (pad == 2 && (group & 0xffff)))
			return false;
		if (cap - n < octets)
			return false;
		out[n++] = (unsigned char)(group >> 16);
		if (octets > 1)
			out[n++] = (unsigned char)(group >> 8);
		if (octets > 2)
			out[n++] = (unsigned char)group;
	}
	*outlen = n;
	return true;
}

bool base64_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (cap == 0 || len > (cap - 1) / 4 * 3)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		unsigned long group = (unsigned long)in[i] << 16;
		if (left > 1)
			group |= (unsigned long)in[i + 1] << 8;
		if (left > 2)
			group |= in[i + 2];
		out[n++] = alphabet[(group >> 18) & 63];
		out[n++] = alphabet[(group >> 12) & 63];
		out[n++] = left > 1 ? alphabet[(group >> 6) & 63] : '=';
		out[n++] = left > 2 ? alphabet[group & 63] : '=';
	}
	out[n] = 0;
	return true;
}
