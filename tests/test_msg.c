/*
 * test_msg - the engine's front door: verdict stickiness, SIZE=, the
 * record's arithmetic, exact sizes in count mode, flat memory.
 */

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "testutil.h"

static uint8_t *random_bytes(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n ? n : 1);
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		p[i] = x >> 24;
	}
	return (p);
}

Test(msg, declared_size)
{
	struct msg *m = msg_new(tu_conf(), 0, 0);

	cr_expect_eq(msg_declared_size(m, tu_conf()->max_message_cost), 0);
	cr_expect_neq(msg_declared_size(m, tu_conf()->max_message_cost + 1), 0);
	msg_finish(m);
	cr_expect_eq(msg_record(m)->reason, REASON_SIZE_DECLARED);
	cr_expect_eq(msg_record(m)->verdict, VERDICT_REJECT);
	msg_free(m);
}

Test(msg, verdict_is_sticky_and_input_skipped)
{
	struct conf conf = *tu_conf();
	struct msg *m;
	const char *hdr = "Subject: x\r\n\r\n";
	static uint8_t body[NODE_BLOCK];

	/* Raw joins the cost check one granule (NODE_BLOCK bytes) at a time. */
	conf.max_message_cost = 500;
	m = msg_new(&conf, 0, 0);
	cr_expect_eq(msg_feed(m, (const uint8_t *) hdr, strlen(hdr)), 0);
	memset(body, 'a', sizeof(body));
	cr_expect_neq(msg_feed(m, body, sizeof(body)), 0);
	cr_expect_neq(msg_feed(m, body, sizeof(body)), 0);
	msg_finish(m);
	cr_expect_eq(msg_record(m)->reason, REASON_MESSAGE_COST);
	cr_expect_eq(msg_record(m)->raw, strlen(hdr) + 2 * sizeof(body));
	msg_free(m);
}

Test(msg, cost_exact_at_the_end)
{
	struct conf conf = *tu_conf();
	struct record r;
	const char *t = "Subject: x\r\n\r\nhello\r\n";

	/* raw 21 + decoded 7 = 28: a limit of 28 accepts, 27 rejects. */
	conf.max_message_cost = 28;
	tu_scan(&conf, (const uint8_t *) t, strlen(t), 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	conf.max_message_cost = 27;
	tu_scan(&conf, (const uint8_t *) t, strlen(t), 0, 0, &r);
	cr_expect_eq(r.reason, REASON_MESSAGE_COST, "%s", tu_record_str(&r));
}

Test(msg, rejected_records_are_split_invariant)
{
	static uint8_t data[300000];
	struct tu_buf b = {0};
	struct conf conf = *tu_conf();
	struct record whole, r;
	const char *why;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (i * 2654435761u) >> 13;
	tu_message_attach(&b, "application/octet-stream", "d.bin", "base64", data, sizeof(data));
	conf.max_part_size = 100000;
	tu_scan(&conf, b.p, b.len, 0, 0, &whole);
	cr_expect_eq(whole.reason, REASON_PART_SIZE);
	for (size_t chunk = 1; chunk < 70000; chunk = chunk * 3 + 1) {
		tu_scan(&conf, b.p, b.len, chunk, 0, &r);
		cr_expect(tu_record_eq(&whole, &r, &why), "chunk %zu: %s differs\n %s\n %s", chunk, why,
			  tu_record_str(&whole), tu_record_str(&r));
	}
	conf.max_part_size = tu_conf()->max_part_size;
	conf.max_message_cost = 250000;
	tu_scan(&conf, b.p, b.len, 0, 0, &whole);
	cr_expect_eq(whole.reason, REASON_MESSAGE_COST);
	for (unsigned seed = 1; seed < 10; seed++) {
		tu_scan_random(&conf, b.p, b.len, seed, 5000, &r);
		cr_expect(tu_record_eq(&whole, &r, &why), "seed %u: %s differs", seed, why);
	}
	free(b.p);
}

Test(msg, exact_decoded_size_in_count_mode)
{
	static const size_t sizes[] = {0, 1, 2, 3, 4, 57, 4095, 4096, 4097, 100000, 1000003};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *data = random_bytes(sizes[i], i + 1);
		struct tu_buf b = {0};
		struct record r, r1;

		tu_message_attach(&b, "application/octet-stream", "r.bin", "base64", data, sizes[i]);
		tu_scan(0, b.p, b.len, 0, 0, &r);
		/* text part "Please find the file attached." is 30 bytes;
		 * the preamble is a part for ripmime */
		cr_expect_eq(r.decoded, TU_PREAMBLE_LEN + 30 + sizes[i], "size %zu: %s", sizes[i],
			     tu_record_str(&r));
		cr_expect_eq(r.parts, 3);
		tu_scan(0, b.p, b.len, 1 + (i % 5) * 61, 0, &r1);
		cr_expect_eq(r1.decoded, r.decoded);
		free(data);
		free(b.p);
	}
}

Test(msg, memory_flat_whatever_the_size)
{
	size_t  small = 1 << 20, big = 16 << 20;
	uint8_t *data = random_bytes(big, 7);
	struct tu_buf a = {0}, b = {0};
	struct record ra, rb;

	tu_message_attach(&a, "application/octet-stream", "r.bin", "base64", data, small);
	tu_message_attach(&b, "application/octet-stream", "r.bin", "base64", data, big);
	tu_scan(0, a.p, a.len, 65536, 0, &ra);
	tu_scan(0, b.p, b.len, 65536, 0, &rb);
	cr_expect_eq(ra.verdict, VERDICT_ACCEPT);
	cr_expect_eq(rb.verdict, VERDICT_ACCEPT);
	cr_expect_eq(ra.peak_mem, rb.peak_mem, "1 MiB: %zu, 16 MiB: %zu", ra.peak_mem, rb.peak_mem);
	cr_expect_lt(rb.peak_mem, 256 * 1024);
	free(data);
	free(a.p);
	free(b.p);
}

Test(msg, record_arithmetic_and_time)
{
	struct tu_buf b = {0};
	uint8_t data[3000];
	struct record r;

	/* words, not one base64-looking line (b64text.c would decode that) */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i % 10 == 9 ? ' ' : 'z';
	tu_message_attach(&b, "text/plain", "z.txt", "quoted-printable", data, sizeof(data));
	tu_scan(0, b.p, b.len, 0, 0, &r);
	cr_expect_eq(r.raw, b.len);
	cr_expect_eq(r.cost, r.raw + r.decoded + r.expanded + r.decoder_mem);
	/* The CRLF before the close delimiter is the delimiter's. */
	cr_expect_eq(r.decoded, TU_PREAMBLE_LEN + 30 + sizeof(data), "%s", tu_record_str(&r));
	cr_expect_geq(r.ms, 0.0);
	cr_expect_gt(r.peak_mem, 0);
	free(b.p);
}

Test(msg, zip_declared_as_text_is_a_type_mismatch)
{
	static const uint8_t zip_empty[22] = {'P', 'K', 5, 6};
	struct tu_buf b = {0};
	struct record r;

	tu_message_attach(&b, "text/plain", 0, "base64", zip_empty, sizeof(zip_empty));
	tu_scan(0, b.p, b.len, 0, 0, &r);
	cr_expect(r.findings & ((uint64_t) 1 << FIND_TYPE_MISMATCH), "%s", tu_record_str(&r));
	free(b.p);
}

Test(msg, budget_refusing_the_first_allocation_is_reason_budget)
{
	struct acct_budget budget = {16, 0};
	struct record r;

	cr_assert_null(msg_new(tu_conf(), &budget, 0));
	record_internal(&r);
	cr_expect_eq(r.verdict, VERDICT_TEMPFAIL);
	cr_expect_eq(r.reason, REASON_BUDGET);
	cr_expect_str_eq(reason_info(r.reason)->status, "4.3.1");
	cr_assert_null(msg_new(tu_conf(), 0, 1));
	record_internal(&r);
	cr_expect_eq(r.reason, REASON_INTERNAL);
}
