/*
 * fuzz-engine - libFuzzer harness: the whole engine on a raw message, fed
 * in fuzzer-chosen chunk sizes, with low limits so that every limit path
 * is reached.  The first byte picks the chunking, the second a set of
 * limits; the rest is the message.  It asserts what must always hold:
 * a verdict, cost = raw + decoded + expanded + decoder_mem, nothing held
 * after finish, the same record fed whole (the same views too; peak_mem may differ when
 * there are several, msg.c).
 */

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "msg.h"

static struct record fuzz_run(const struct conf *conf, const uint8_t *p, size_t n,
			              unsigned mode)
{
	struct msg *m = msg_new(conf, 0, 0);
	struct record rec;
	size_t  off = 0, step = 1;

	assert(m != 0);
	while (off < n) {
		size_t  len;

		switch (mode % 4) {
		case 0:
			len = n - off;
			break;
		case 1:
			len = 1;
			break;
		case 2:
			len = 1 + (p[off] % 61);
			break;
		default:
			len = step;
			step = step * 2 + 1;
			break;
		}
		if (len > n - off)
			len = n - off;
		(void) msg_feed(m, p + off, len);
		off += len;
	}
	msg_finish(m);
	rec = *msg_record(m);
	assert(msg_acct(m)->cur == msg_acct(m)->stage_cur[ACCT_MSG]);
	msg_free(m);
	return (rec);
}

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
	/* Low limits half the time, so that limits trip on small inputs. */
	conf.max_part_size = (data[1] & 1) ? 2048 : 50 << 20;
	conf.max_message_cost = (data[1] & 2) ? 8192 : 256 << 20;
	conf.max_parts = (data[1] & 4) ? 5 : 1000;
	conf.max_mime_depth = (data[1] & 8) ? 3 : 32;
	conf.max_archive_depth = (data[1] & 16) ? 1 : 4;
	conf.max_archive_entries = (data[1] & 32) ? 4 : 20000;
	conf.ratio_min_size = (data[1] & 64) ? 1024 : 1 << 20;
	conf.max_ratio = (data[1] & 128) ? 5 : 100;

	a = fuzz_run(&conf, data + 2, size - 2, data[0]);
	assert(a.verdict == VERDICT_ACCEPT || a.verdict == VERDICT_REJECT);
	assert(a.cost == a.raw + a.decoded + a.expanded + a.decoder_mem || a.cost == UINT64_MAX);
	assert(a.raw == size - 2);
	assert((a.verdict == VERDICT_ACCEPT) == (a.reason == REASON_NONE));
	if (data[0] % 4 != 0) {
		b = fuzz_run(&conf, data + 2, size - 2, 0);
		assert(a.verdict == b.verdict && a.reason == b.reason);
		assert(a.decoded == b.decoded && a.expanded == b.expanded);
		assert(a.parts == b.parts && a.inflated == b.inflated);
		assert(strcmp(a.where, b.where) == 0);
		/* the readings part ways at the same bytes, whatever the split */
		assert(a.nviews == b.nviews && a.reading == b.reading);
		assert(memcmp(a.views, b.views, a.nviews * sizeof(a.views[0])) == 0);
	}
	return (0);
}
