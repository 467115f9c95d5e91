/* proxy.c: see proxy.h.  The parser is incremental and pure, so that
 * the fuzzer drives it; proxy_read() feeds it exactly the octets it asks
 * for: one at a time until a v1 line ends, in one read for the rest of
 * a v2 header once its length is known. */
#include "proxy.h"
#include "clock.h"
#include "scan_num.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t v2_signature[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};
static const char v1_start[] = "PROXY ";

enum {
	V2_CMD_LOCAL = 0x0, V2_CMD_PROXY = 0x1,
	V2_FAM_UNSPEC = 0x00, V2_FAM_TCP4 = 0x11, V2_FAM_TCP6 = 0x21,
	V2_TCP4_LEN = 12, V2_TCP6_LEN = 36,
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Splits "A B C D" (single spaces) into at most MAX fields. */
static size_t split_fields(const char *s, size_t len, const char **field, size_t *field_len,
			   size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (n == max)
			return max + 1;
		field[n] = s + start;
		field_len[n] = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

static int parse_v1_address(const char *s, size_t len, int family, struct netaddr *addr)
{
	char text[NETADDR_TEXT_MAX];
	if (len == 0 || len >= sizeof text)
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	if (!netaddr_parse(text, addr))
		return -1;
	/* TCP4 needs a dotted quad; TCP6 an IPv6 text (which may be mapped) */
	if ((family == 4) != (strchr(text, ':') == NULL))
		return -1;
	return 0;
}

static int parse_v1_port(const char *s, size_t len, uint16_t *port)
{
	uint32_t n;
	if (len == 0 || len > 5 || (len > 1 && s[0] == '0') || !scan_u32(s, len, &n) || n > 65535)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

/* LINE is the v1 header without "PROXY " and CR LF. */
static enum proxy_status parse_v1(const char *line, size_t len, struct proxy_result *out)
{
	if (len >= 7 && memcmp(line, "UNKNOWN", 7) == 0)
		return PROXY_DONE;  /* anything may follow; use the socket's addresses */
	const char *field[6];
	size_t field_len[6];
	if (split_fields(line, len, field, field_len, 5) != 5)
		return PROXY_BAD;
	int family;
	if (field_len[0] == 4 && memcmp(field[0], "TCP4", 4) == 0)
		family = 4;
	else if (field_len[0] == 4 && memcmp(field[0], "TCP6", 4) == 0)
		family = 6;
	else
		return PROXY_BAD;
	if (parse_v1_address(field[1], field_len[1], family, &out->source) < 0 ||
	    parse_v1_address(field[2], field_len[2], family, &out->destination) < 0 ||
	    parse_v1_port(field[3], field_len[3], &out->source_port) < 0 ||
	    parse_v1_port(field[4], field_len[4], &out->destination_port) < 0)
		return PROXY_BAD;
	out->has_addresses = 1;
	return PROXY_DONE;
}

static enum proxy_status want_v1(const uint8_t *buf, size_t len, size_t *want,
				 struct proxy_result *out)
{
	const uint8_t *lf = memchr(buf, '\n', len);
	if (!lf) {
		if (len >= PROXY_V1_MAX)
			return PROXY_BAD;
		*want = len + 1;
		return PROXY_MORE;
	}
	size_t line_len = (size_t)(lf - buf) + 1;
	if (line_len < sizeof v1_start - 1 + 2 || lf[-1] != '\r')
		return PROXY_BAD;
	const char *body = (const char *)buf + sizeof v1_start - 1;
	size_t body_len = line_len - (sizeof v1_start - 1) - 2;
	for (size_t i = 0; i < body_len; i++)
		if (body[i] < 0x20 || body[i] > 0x7e)
			return PROXY_BAD;
	out->version = 1;
	*want = line_len;
	return parse_v1(body, body_len, out);
}

static void v2_addresses(const uint8_t *p, int family, struct proxy_result *out)
{
	size_t alen = family == NETADDR_V4 ? 4 : 16;
	out->source.family = out->destination.family = family;
	memcpy(out->source.octets, p, alen);
	memcpy(out->destination.octets, p + alen, alen);
	out->source_port = (uint16_t)(p[2 * alen] << 8 | p[2 * alen + 1]);
	out->destination_port = (uint16_t)(p[2 * alen + 2] << 8 | p[2 * alen + 3]);
	if (family == NETADDR_V6) {
		/* a mapped address names an IPv4 client: same form as netaddr_parse */
		char text[NETADDR_TEXT_MAX];
		netaddr_parse(netaddr_format(&out->source, text), &out->source);
		netaddr_parse(netaddr_format(&out->destination, text), &out->destination);
	}
	out->has_addresses = 1;
}

static enum proxy_status want_v2(const uint8_t *buf, size_t len, size_t *want,
				 struct proxy_result *out)
{
	if (len < PROXY_V2_HEADER) {
		*want = PROXY_V2_HEADER;
		return PROXY_MORE;
	}
	uint8_t version = buf[12] >> 4, command = buf[12] & 0x0f, family = buf[13];
	size_t body = (size_t)buf[14] << 8 | buf[15];
	if (version != 2 || (command != V2_CMD_LOCAL && command != V2_CMD_PROXY))
		return PROXY_BAD;
	*want = PROXY_V2_HEADER + body;
	if (len < *want)
		return PROXY_MORE;
	out->version = 2;
	if (command == V2_CMD_LOCAL)
		return PROXY_DONE;  /* the balancer's own check: socket addresses */
	const uint8_t *p = buf + PROXY_V2_HEADER;
	if (family == V2_FAM_TCP4 && body >= V2_TCP4_LEN)
		v2_addresses(p, NETADDR_V4, out);
	else if (family == V2_FAM_TCP6 && body >= V2_TCP6_LEN)
		v2_addresses(p, NETADDR_V6, out);
	else if (family != V2_FAM_UNSPEC)
		return PROXY_BAD;  /* UDP or a local socket: not a POP3 client */
	return PROXY_DONE;
}

enum proxy_status proxy_parse(const uint8_t *buf, size_t len, size_t *want,
			      struct proxy_result *out)
{
	memset(out, 0, sizeof *out);
	size_t v1_prefix = min_size(len, sizeof v1_start - 1);
	size_t v2_prefix = min_size(len, sizeof v2_signature);
	if (len == 0) {
		*want = 1;
		return PROXY_MORE;
	}
	if (memcmp(buf, v1_start, v1_prefix) == 0) {
		if (len < sizeof v1_start - 1) {
			*want = len + 1;
			return PROXY_MORE;
		}
		return want_v1(buf, len, want, out);
	}
	if (memcmp(buf, v2_signature, v2_prefix) == 0) {
		if (len < sizeof v2_signature) {
			*want = sizeof v2_signature;
			return PROXY_MORE;
		}
		return want_v2(buf, len, want, out);
	}
	return PROXY_BAD;
}

/* Reads exactly LEN octets into BUF before DEADLINE. */
static int read_exact(int fd, uint8_t *buf, size_t len, int64_t deadline, const char **why)
{
	size_t got = 0;
	while (got < len) {
		int left = clock_ms_left(deadline);
		if (left == 0) {
			*why = "timeout";
			return -1;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*why = r == 0 ? "timeout" : "poll failed";
			return -1;
		}
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			*why = n == 0 ? "eof" : "read failed";
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

enum proxy_status proxy_read(int fd, unsigned timeout_ms, struct proxy_result *out,
			     const char **why)
{
	static uint8_t buf[PROXY_MAX];
	int64_t deadline = clock_ms() + timeout_ms;
	size_t len = 0, want = 1;
	for (;;) {
		if (read_exact(fd, buf + len, want - len, deadline, why) < 0)
			return PROXY_BAD;
		len = want;
		enum proxy_status status = proxy_parse(buf, len, &want, out);
		if (status == PROXY_BAD) {
			*why = "malformed";
			return PROXY_BAD;
		}
		if (status == PROXY_DONE)
			return PROXY_DONE;
		if (want <= len || want > sizeof buf) {
			*why = "malformed";
			return PROXY_BAD;
		}
	}
}
