/* fuzz_proxy: the PROXY v1/v2 header parser, fed as proxy_read feeds it
 * (growing to the length it asks for) and whole.  It must never ask to
 * read past a complete header, nor beyond PROXY_MAX. */
#include "../../hostcheck/proxy.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_result res;
	size_t want = 1, len = 0;
	for (;;) {
		if (want > PROXY_MAX || want <= len)
			abort();
		if (want > size)
			break;
		len = want;
		enum proxy_status st = proxy_parse(data, len, &want, &res);
		if (st == PROXY_BAD)
			break;
		if (st == PROXY_DONE) {
			if (want != len)
				abort();  /* it read past the header */
			break;
		}
	}
	enum proxy_status st = proxy_parse(data, size, &want, &res);
	if (st == PROXY_DONE && want > size)
		abort();
	return 0;
}
