/* linecount.h: whole lines counted 16 octets at a time, for the mbox
 * scanner (index.c), where a line's CRLF size is its length plus one for
 * an LF without a CR before it. */
#ifndef LINECOUNT_H
#define LINECOUNT_H

#include <stddef.h>
#include <stdint.h>

/* The stretch of whole lines at P (a line start) before the first line
 * that may be blank (it starts with LF or CR).  Returns its length (it
 * ends after an LF; 0 without SSE2, or when the first line may be blank)
 * and its CRLF size in *OCTETS. */
size_t lines_stretch(const char *p, size_t n, uint64_t *octets);

/* N plus the LFs in P[0..N) without a CR before them: the CRLF size of
 * whole lines that start at P. */
uint64_t crlf_octets(const char *p, size_t n);

#endif
