/*
 * fuzz-walker.h - the body of the archive walker harnesses: one analyser
 * opened straight on a node (no sniffing), fed the input in
 * fuzzer-chosen chunks, with limits low enough to be crossed.  Each
 * harness defines FUZZ_ANALYSER and includes this file.
 *
 * Input: byte 0 picks the chunking (whole, bytes, 1..97 bytes, or
 * pieces of 1, 3, 7, 15 ... bytes) and, with bit 7, for an analyser that
 * reads a counted stream's tail (zip), hands the archive over as that
 * tail, after a gap, on a stream a hunt found nothing in; byte 1 the
 * limits, the rest is the archive.  Asserts: nothing held after the message ends, inflated work
 * bounded by the cost limit plus one inflate buffer per level, and the
 * same record fed whole: verdict, reason, where, every counter and the
 * findings (all but memory and time), since a walker takes any split.
 */

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "msg.h"
#include "node.h"

/* fuzz_walk - the analyser on a root node, fed as mode says */

static struct record fuzz_walk(const struct conf *conf, const uint8_t *p, size_t n,
			               unsigned mode)
{
	struct msg *m = msg_new(conf, 0, 0);
	struct node *root;
	void   *st = 0;
	struct record rec;
	int     stop = 0;
	int     tail = (mode & 0x80) != 0 && FUZZ_ANALYSER.tail != 0;

	assert(m != 0);
	root = node_open(m, 0, "fuzz", 4, 0, 0);
	if (root && tail)
		root->hunt = 1;
	if (root && (st = FUZZ_ANALYSER.open(root)) != 0) {
		for (size_t off = 0, grow = 1; off < n && !stop; grow = grow * 2 + 1) {
			size_t  len = mode % 4 == 0 ? n - off : mode % 4 == 1 ? 1
				: mode % 4 == 2 ? 1 + p[off] % 97 : grow;

			if (len > n - off)
				len = n - off;
			stop = tail ? FUZZ_ANALYSER.tail(st, 100000 + off, p + off, len)
				: FUZZ_ANALYSER.feed(st, p + off, len);
			off += len;
		}
		if (!stop)
			(void) FUZZ_ANALYSER.finish(st);
		FUZZ_ANALYSER.free(st);
	}
	node_free(root);
	msg_finish(m);
	rec = *msg_record(m);
	assert(msg_acct(m)->cur == msg_acct(m)->stage_cur[ACCT_MSG]);
	msg_free(m);
	return (rec);
}

/* fuzz_same - two records of one input: equal but for memory and time */

static void fuzz_same(const struct record *a, const struct record *b)
{
	assert(a->verdict == b->verdict);
	assert(a->reason == b->reason);
	assert(strcmp(a->where, b->where) == 0);
	assert(a->raw == b->raw && a->decoded == b->decoded);
	assert(a->expanded == b->expanded);
	assert(a->cost == b->cost);
	assert(a->inflated == b->inflated);
	assert(a->parts == b->parts);
	assert(a->mime_depth == b->mime_depth);
	assert(a->archive_depth == b->archive_depth);
	assert(a->findings == b->findings);
}

/* LLVMFuzzerTestOneInput - limits from byte 1, the walk, the checks */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf conf;
	static int init;
	struct record a, b;

	if (!init) {
		conf_defaults(&conf);
		init = 1;
	}
	if (size < 2)
		return (0);
	conf.max_part_size = (data[1] & 1) ? 100000 : 50 << 20;
	conf.max_message_cost = (data[1] & 2) ? 1 << 20 : 256 << 20;
	conf.max_parts = (data[1] & 4) ? 5 : 1000;
	conf.max_archive_depth = (data[1] & 8) ? 1 : 4;
	conf.max_archive_entries = (data[1] & 16) ? 4 : 20000;
	conf.ratio_min_size = (data[1] & 32) ? 4096 : 1 << 20;
	conf.max_ratio = (data[1] & 64) ? 5 : 100;
	conf.encrypted_archive = (data[1] & 128) ? 1 : 0;

	a = fuzz_walk(&conf, data + 2, size - 2, data[0]);
	assert(a.verdict != VERDICT_TEMPFAIL);
	/* Work is bounded: at most the cost limit, plus what one inflate
	 * call per open level may produce past it. */
	assert(a.inflated <= conf.max_message_cost + (conf.max_archive_depth + 1) * (256u << 10));
	if (data[0] % 4 != 0) {
		b = fuzz_walk(&conf, data + 2, size - 2, data[0] & 0x80);
		fuzz_same(&a, &b);
	}
	return (0);
}
