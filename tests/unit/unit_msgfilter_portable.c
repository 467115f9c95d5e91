/* unit_msgfilter_portable: unit_msgfilter_diff with lib/msgfilter.c
 * built here with MSGF_PORTABLE, so that the portable C loop (what
 * non-x86 machines run) is tested against the reference too.  The
 * functions defined here take the place of the library's msgfilter.o. */
#define MSGF_PORTABLE 1
#include "msgfilter.c"
#ifdef MSGF_SSE2
#error "MSGF_PORTABLE did not turn the SSE2 loop off"
#endif
#include "unit_msgfilter_diff.c"
