/* order.c: the scan list in delivery order, the order POP3 numbers
 * the messages in (doc/interfaces.md). */
#include "scanparts.h"

#include "die.h"

#include <stdlib.h>
#include <string.h>

/* Delivery order is decided on small keys: seconds and microseconds
 * packed into 64 bits and radix-sorted (stable, linear: a Maildir lists
 * in hash order, and 100,000 names would cost ~1.7 million comparisons),
 * then runs of equal keys put in name order.  Names without a time, and
 * times too large to pack, are rare: they go through qsort. */
#define ORDER_USEC_BITS 20
#define ORDER_SECONDS_MAX ((UINT64_C(1) << (64 - ORDER_USEC_BITS)) - 1)
#define RADIX_BITS 11
#define RADIX_BUCKETS (1u << RADIX_BITS)

struct order_key {
	uint64_t key;
	uint32_t index;
};
static const struct scan *order_scan;

static int packable(const struct scan_message *m)
{
	return m->has_seconds && m->seconds <= ORDER_SECONDS_MAX &&
	       m->usec < (UINT64_C(1) << ORDER_USEC_BITS);
}

static int by_name(const struct order_key *a, const struct order_key *b)
{
	return strcmp(order_scan->arena + order_scan->msgs[a->index].name_off,
	              order_scan->arena + order_scan->msgs[b->index].name_off);
}

/* Unpackable names: by time if they have one, then by name. */
static int by_delivery(const void *pa, const void *pb)
{
	const struct order_key *a = pa, *b = pb;
	const struct scan_message *ma = &order_scan->msgs[a->index];
	const struct scan_message *mb = &order_scan->msgs[b->index];
	if (ma->has_seconds != mb->has_seconds)
		return ma->has_seconds ? -1 : 1;
	if (ma->seconds != mb->seconds)
		return ma->seconds < mb->seconds ? -1 : 1;
	if (ma->usec != mb->usec)
		return ma->usec < mb->usec ? -1 : 1;
	return by_name(a, b);
}

static int by_name_only(const void *a, const void *b)
{
	return by_name(a, b);
}

static void radix_sort(struct order_key *keys, struct order_key *tmp, size_t n)
{
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (keys[i].key > max)
			max = keys[i].key;
	static size_t count[RADIX_BUCKETS];
	for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += RADIX_BITS) {
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(keys[i].key >> shift) & (RADIX_BUCKETS - 1)]++;
		size_t sum = 0;
		for (size_t b = 0; b < RADIX_BUCKETS; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(keys[i].key >> shift) & (RADIX_BUCKETS - 1)]++] = keys[i];
		memcpy(keys, tmp, n * sizeof *keys);
	}
	/* Equal times (one second, no microseconds: qmail names) by name. */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && keys[j].key == keys[i].key)
			j++;
		if (j - i > 1)
			qsort(keys + i, j - i, sizeof *keys, by_name_only);
		i = j;
	}
}

/* Puts MSGS in the order KEYS gives (position i takes the entry at
 * keys[i].index) in place, cycle by cycle, so that the sort does not
 * hold a second copy of every entry at the peak of the scan's memory. */
#define PERMUTE_DONE UINT32_MAX
static void permute(struct scan_message *msgs, struct order_key *keys, size_t n)
{
	for (size_t start = 0; start < n; start++) {
		if (keys[start].index == PERMUTE_DONE)
			continue;
		struct scan_message held = msgs[start];
		size_t at = start;
		for (;;) {
			size_t from = keys[at].index;
			keys[at].index = PERMUTE_DONE;
			if (from == start) {
				msgs[at] = held;
				break;
			}
			msgs[at] = msgs[from];
			at = from;
		}
	}
}

void scan_sort_by_delivery(struct scan *s)
{
	if (s->count < 2)
		return;
	struct order_key *keys = malloc(s->count * sizeof *keys);
	struct order_key *tmp = malloc(s->count * sizeof *tmp);
	if (!keys || !tmp)
		die_nomem();
	size_t packed = 0, rest = s->count;
	int odd_time = 0;
	for (size_t i = 0; i < s->count; i++) {
		const struct scan_message *m = &s->msgs[i];
		if (packable(m))
			keys[packed++] = (struct order_key){ m->seconds << ORDER_USEC_BITS | m->usec, (uint32_t)i };
		else
			keys[--rest] = (struct order_key){ 0, (uint32_t)i };
		odd_time |= m->has_seconds && !packable(m);
	}
	order_scan = s;
	if (odd_time) {
		/* A time that does not pack may fall anywhere: compare all. */
		qsort(keys, s->count, sizeof *keys, by_delivery);
	} else {
		/* Names without a time come last, after all the others. */
		radix_sort(keys, tmp, packed);
		if (s->count - packed > 1)
			qsort(keys + packed, s->count - packed, sizeof *keys, by_delivery);
	}
	free(tmp);
	permute(s->msgs, keys, s->count);
	free(keys);
}
