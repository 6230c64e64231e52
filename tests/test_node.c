/*
 * test_node - one stream under analysis: the projection max(declared,
 * seen), the per-part limits (size, ratio by declaration and by real
 * bytes), archive depth, parts, member sizes declared afterwards, the
 * where path, and count-only mode once nobody needs the bytes.
 */

#include <criterion/criterion.h>
#include <string.h>

#include "node.h"
#include "testutil.h"

static struct conf conf;
static struct msg *m;

static void setup(void)
{
	conf = *tu_conf();
	conf.max_part_size = 10000;
	conf.ratio_min_size = 1000;
	conf.max_ratio = 10;
	conf.max_archive_depth = 2;
	m = msg_new(&conf, 0, 0);
	cr_assert_not_null(m);
	msg_path_set(m, 0, "2", 1);
}

static void teardown(void)
{
	msg_finish(m);
	msg_free(m);
}

TestSuite(node, .init = setup, .fini = teardown);

Test(node, projection_is_max_of_declared_and_seen)
{
	struct node *leaf = node_open(m, 0, "a.zip", 5, 0, 0);
	struct node *mem;
	static uint8_t buf[600];

	cr_assert_not_null(leaf);
	cr_expect_str_eq(msg_record(m)->where, "");
	mem = node_open(m, leaf, "x.txt", 5, 500, 100);
	cr_assert_not_null(mem);
	cr_expect_eq(msg_record(m)->expanded, 500);
	node_consumed(mem, 100);
	memset(buf, 'x', sizeof(buf));
	cr_expect_eq(node_feed(mem, buf, 400), 0);
	cr_expect_eq(msg_record(m)->expanded, 500);
	cr_expect_eq(node_feed(mem, buf, 200), 0);
	cr_expect_eq(msg_record(m)->expanded, 600);
	cr_expect_eq(msg_record(m)->parts, 2);
	cr_expect_eq(msg_record(m)->archive_depth, 1);
	node_finish(mem);
	node_free(mem);
	node_finish(leaf);
	node_free(leaf);
}

Test(node, declared_size_condemns_before_any_byte)
{
	struct node *leaf = node_open(m, 0, "a.zip", 5, 0, 0);
	struct node *mem = node_open(m, leaf, "big", 3, 20000, 10000);

	cr_expect_null(mem);
	cr_expect_eq(msg_record(m)->reason, REASON_PART_SIZE);
	cr_expect_str_eq(msg_record(m)->where, "2/a.zip/big");
	node_free(leaf);
}

Test(node, declared_ratio)
{
	struct node *leaf = node_open(m, 0, "a.zip", 5, 0, 0);
	struct node *mem = node_open(m, leaf, "r", 1, 5000, 100);

	cr_expect_null(mem);
	cr_expect_eq(msg_record(m)->reason, REASON_RATIO);
	node_free(leaf);
}

Test(node, real_ratio_once_past_min_size)
{
	struct node *leaf = node_open(m, 0, "a.gz", 4, 0, 0);
	struct node *mem = node_open(m, leaf, "z", 1, 0, 0);
	static uint8_t zeros[1500];

	cr_assert_not_null(mem);
	node_consumed(mem, 50);
	cr_expect_eq(node_feed(mem, zeros, 500), 0, "under ratio_min_size: not judged");
	cr_expect_neq(node_feed(mem, zeros, 1000), 0);
	cr_expect_eq(msg_record(m)->reason, REASON_RATIO);
	cr_expect_str_eq(msg_record(m)->where, "2/a.gz/z");
	node_free(mem);
	node_free(leaf);
}

Test(node, archive_depth)
{
	struct node *a = node_open(m, 0, "a", 1, 0, 0);
	struct node *b = node_open(m, a, "b", 1, 0, 0);
	struct node *c = node_open(m, b, "c", 1, 0, 0);
	struct node *d = c ? 0 : node_open(m, b, "d", 1, 0, 0);

	cr_assert_not_null(b);
	cr_expect_not_null(c);
	node_free(c);
	d = node_open(m, c ? b : b, "c2", 2, 0, 0);
	cr_assert_not_null(d);
	cr_expect_null(node_open(m, d, "too-deep", 8, 0, 0));
	cr_expect_eq(msg_record(m)->reason, REASON_ARCHIVE_DEPTH);
	cr_expect_str_eq(msg_record(m)->where, "2/a/b/c2/too-deep");
	node_free(d);
	node_free(b);
	node_free(a);
}

Test(node, member_declared_afterwards)
{
	struct node *leaf = node_open(m, 0, "a.zip", 5, 0, 0);

	cr_expect_eq(node_member_declared(leaf, "m1", 2, 100, 300, 300), 0);
	cr_expect_eq(msg_record(m)->expanded, 200);
	cr_expect_eq(node_member_declared(leaf, "m2", 2, 0, 900, 900), 0);
	cr_expect_eq(msg_record(m)->expanded, 1100);
	cr_expect_neq(node_member_declared(leaf, "m3", 2, 0, 20000, 20000), 0);
	cr_expect_eq(msg_record(m)->reason, REASON_PART_SIZE);
	cr_expect_str_eq(msg_record(m)->where, "2/a.zip/m3");
	node_free(leaf);
}

Test(node, path_restored_and_sanitised)
{
	struct node *leaf = node_open(m, 0, "a b%.zip", 8, 0, 0);
	struct node *mem = node_open(m, leaf, "dir/\x01x", 6, 0, 0);

	node_free(mem);
	node_free(leaf);
	msg_stop(m, REASON_PARTS, 0);
	cr_expect_str_eq(msg_record(m)->where, "2");
	(void) mem;
}

Test(node, counts_once_nobody_looks)
{
	struct node *leaf = node_open(m, 0, "t.txt", 5, 0, 0);
	static uint8_t text[NODE_BLOCK];

	memset(text, 'a', sizeof(text));
	cr_expect(node_wants_bytes(leaf));
	cr_expect_eq(node_feed(leaf, text, sizeof(text)), 0);
	cr_expect_not(node_wants_bytes(leaf), "type known, no analyser: count only");
	cr_expect_eq(node_count(leaf, 100), 0);
	cr_expect_eq(leaf->size, NODE_BLOCK + 100);
	cr_expect_str_eq(leaf->type, "", "no declared type, nothing for an analyser: libmagic not asked");
	cr_expect_eq(msg_record(m)->decoded, NODE_BLOCK + 100);
	node_finish(leaf);
	node_free(leaf);
}

/* libmagic is asked only when its answer matters */

static const char *type_of(const char *declared, const uint8_t *p, size_t n)
{
	static char type[64];
	struct node *leaf = node_open(m, 0, "x", 1, 0, 0);

	cr_assert_not_null(leaf);
	if (declared)
		node_set_declared_type(leaf, declared);
	cr_assert_eq(node_feed(leaf, p, n), 0);
	node_finish(leaf);
	snprintf(type, sizeof(type), "%s", leaf->type);
	node_free(leaf);
	return (type);
}

Test(node, libmagic_only_when_it_matters)
{
	static uint8_t win[NODE_BLOCK];

	for (size_t i = 0; i < sizeof(win); i++)
		win[i] = (uint8_t) (i * 7 % 251 + 1) == 'P' ? 'Q' : (uint8_t) (i * 7 % 251 + 1);
	cr_expect_str_eq(type_of(0, win, sizeof(win)), "");
	cr_expect_str_eq(type_of("application/octet-stream", win, sizeof(win)), "");
	cr_expect_str_neq(type_of("image/png", win, sizeof(win)), "", "a declared type is compared");
	memcpy(win + 100, "PK", 2);
	cr_expect_str_neq(type_of(0, win, sizeof(win)), "", "PK in the window: zip asks");
	memcpy(win, "MZ", 2);
	cr_expect_str_neq(type_of(0, win, sizeof(win)), "", "a program's header: zip asks");
	memset(win, 'a', sizeof(win));
	cr_expect_str_eq(type_of("text/html", win, sizeof(win)), "text/plain",
			 "declared text, is text: text/plain without libmagic");
	memcpy(win, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0", 29);
	cr_expect_str_eq(type_of("text/plain", win, sizeof(win)), "image/png",
			 "declared text, a control byte: libmagic says what it is");
	cr_expect(msg_record(m)->findings >> FIND_TYPE_MISMATCH & 1, "declared text, is png: a finding");
	memset(win, 'a', sizeof(win));
	cr_expect_str_eq(type_of("application/pdf", win, sizeof(win)), "text/plain");
	cr_expect(msg_record(m)->findings >> FIND_TYPE_MISMATCH & 1, "declared pdf, is text: a finding");
}

Test(node, declared_size_not_judged_against_bytes_consumed_so_far)
{
	struct node *leaf = node_open(m, 0, "s.zip", 5, 0, 0);
	struct node *mem;
	static uint8_t block[1024];

	/* A stored member with a data descriptor: its Zip64 extra says 5000
	 * bytes, its compressed size is not known yet.  After one block of
	 * 1024 bytes, declared/consumed is 5:1 here (50:1 in real life, 5 MB
	 * against the first KiB): no ratio verdict on that. */
	conf.max_ratio = 2;
	conf.ratio_min_size = 100;
	mem = node_open(m, leaf, "stored.bin", 10, 5000, 0);
	cr_assert_not_null(mem);
	node_consumed(mem, sizeof(block));
	cr_expect_eq(node_feed(mem, block, sizeof(block)), 0, "%s", tu_record_str(msg_record(m)));
	cr_expect_eq(msg_record(m)->verdict, VERDICT_ACCEPT);
	/* The bytes themselves are still judged against what was consumed:
	 * 2048 is not over 2 x 1024, 3072 is. */
	cr_expect_eq(node_feed(mem, block, sizeof(block)), 0);
	cr_expect_neq(node_feed(mem, block, sizeof(block)), 0);
	cr_expect_eq(msg_record(m)->reason, REASON_RATIO);
	node_free(mem);
	node_free(leaf);
}

/* --- name_put: long names keep their head and their end ------------------ */

#include "name.h"

Test(name, long_names_keep_their_extension_at_any_split)
{
	char    src[700], want[64], buf[64];
	size_t  n, len;

	/* Short: kept whole. */
	len = name_put(buf, sizeof(buf), 0, "a.zip", 5);
	cr_expect_eq(len, 5);
	cr_expect_str_eq(buf, "a.zip");

	/* Long: 47 bytes of head, the last 16 of the input. */
	for (n = 0; n < 600; n++)
		src[n] = (char) ('a' + n % 26);
	memcpy(src + 600, ".evil-name-0.zip", 16);
	n = 616;
	memcpy(want, src, 47);
	memcpy(want + 47, src + n - NAME_TAIL, NAME_TAIL);
	want[63] = 0;
	for (size_t a = 0; a <= n; a += 7) {
		for (size_t b = a; b <= n; b += 13) {
			len = name_put(buf, sizeof(buf), 0, src, a);
			len = name_put(buf, sizeof(buf), len, src + a, b - a);
			len = name_put(buf, sizeof(buf), len, src + b, n - b);
			cr_assert_eq(len, 63);
			cr_assert_str_eq(buf, want, "split %zu/%zu", a, b);
		}
	}
	/* Byte by byte. */
	len = 0;
	for (size_t i = 0; i < n; i++)
		len = name_put(buf, sizeof(buf), len, src + i, 1);
	cr_expect_str_eq(buf, want);
}
