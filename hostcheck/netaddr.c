/* netaddr.c: see netaddr.h. */
#include "netaddr.h"
#include "scan_num.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

unsigned netaddr_bits(const struct netaddr *addr)
{
	return addr->family == NETADDR_V4 ? 32 : 128;
}

/* An IPv4-mapped IPv6 address becomes the IPv4 address it carries. */
static void unmap_v4(struct netaddr *addr)
{
	if (addr->family == NETADDR_V6 &&
	    memcmp(addr->octets, v4mapped_prefix, sizeof v4mapped_prefix) == 0) {
		memmove(addr->octets, addr->octets + 12, 4);
		memset(addr->octets + 4, 0, 12);
		addr->family = NETADDR_V4;
	}
}

bool netaddr_parse(const char *text, struct netaddr *addr)
{
	memset(addr, 0, sizeof *addr);
	if (strchr(text, ':')) {
		if (inet_pton(AF_INET6, text, addr->octets) != 1)
			return false;
		addr->family = NETADDR_V6;
		unmap_v4(addr);
		return true;
	}
	if (inet_pton(AF_INET, text, addr->octets) != 1)
		return false;
	addr->family = NETADDR_V4;
	return true;
}

bool netaddr_parse_prefix(const char *text, struct netaddr *net,
			  unsigned *prefix_bits, const char **why)
{
	char addrtext[NETADDR_TEXT_MAX];
	const char *slash = strchr(text, '/');
	size_t addrlen = slash ? (size_t)(slash - text) : strlen(text);
	if (addrlen == 0 || addrlen >= sizeof addrtext) {
		*why = "not an IP address";
		return false;
	}
	memcpy(addrtext, text, addrlen);
	addrtext[addrlen] = '\0';
	bool mapped = strchr(addrtext, ':') && strchr(addrtext, '.');
	if (!netaddr_parse(addrtext, net)) {
		*why = "not an IP address";
		return false;
	}
	/* A mapped prefix is written in IPv6 bits: ::ffff:10.0.0.0/104 is
	 * 10.0.0.0/8.  Shorter than /96 it is not all IPv4: refused. */
	unsigned written_max = mapped && net->family == NETADDR_V4 ? 128 : netaddr_bits(net);
	uint32_t bits = written_max;
	if (slash) {
		if (!scan_u32(slash + 1, strlen(slash + 1), &bits) || bits > written_max ||
		    (slash[1] == '0' && slash[2] != '\0')) {
			*why = "bad prefix length";
			return false;
		}
	}
	if (written_max == 128 && net->family == NETADDR_V4) {
		if (bits < 96) {
			*why = "IPv4-mapped prefix shorter than /96";
			return false;
		}
		bits -= 96;
	}
	struct netaddr masked = *net;
	netaddr_mask(&masked, bits);
	if (!netaddr_equal(&masked, net)) {
		*why = "address has bits set beyond the prefix length";
		return false;
	}
	*prefix_bits = bits;
	return true;
}

void netaddr_mask(struct netaddr *addr, unsigned prefix_bits)
{
	unsigned total = netaddr_bits(addr);
	for (unsigned bit = prefix_bits; bit < total; bit++)
		addr->octets[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

bool netaddr_in_prefix(const struct netaddr *addr, const struct netaddr *net,
		       unsigned prefix_bits)
{
	if (addr->family != net->family || prefix_bits > netaddr_bits(addr))
		return false;
	struct netaddr masked = *addr;
	netaddr_mask(&masked, prefix_bits);
	return netaddr_equal(&masked, net);
}

char *netaddr_format(const struct netaddr *addr, char *buf)
{
	int af = addr->family == NETADDR_V4 ? AF_INET : AF_INET6;
	if (!inet_ntop(af, addr->octets, buf, NETADDR_TEXT_MAX))
		strcpy(buf, "?");
	return buf;
}

bool netaddr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
			   struct netaddr *addr, uint16_t *port)
{
	memset(addr, 0, sizeof *addr);
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		addr->family = NETADDR_V4;
		memcpy(addr->octets, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		addr->family = NETADDR_V6;
		memcpy(addr->octets, &sin6->sin6_addr, 16);
		*port = ntohs(sin6->sin6_port);
		unmap_v4(addr);
		return true;
	}
	return false;
}

bool netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family &&
	       memcmp(a->octets, b->octets, netaddr_bits(a) / 8) == 0;
}
