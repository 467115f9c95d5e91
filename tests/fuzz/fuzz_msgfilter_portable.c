/* fuzz_msgfilter_portable: lib/msgfilter.c built with MSGF_PORTABLE
 * under other names, so that fuzz_msgfilter runs the portable loop
 * beside the SSE2 one in the same process. */
#define MSGF_PORTABLE 1
#define msgfilter_init portable_msgfilter_init
#define msgfilter_feed portable_msgfilter_feed
#define msgfilter_size portable_msgfilter_size
#include "msgfilter.c"
#ifdef MSGF_SSE2
#error "MSGF_PORTABLE did not turn the SSE2 loop off"
#endif
