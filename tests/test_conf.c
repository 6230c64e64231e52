/*
 * test_conf - the key table, defaults, the loader's errors (file and
 * line), ranges, -t output read back.
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	int     fd;

	strcpy(path, "/tmp/defuse-test-conf-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	return (path);
}

Test(conf, defaults_are_design)
{
	struct conf c;

	conf_defaults(&c);
	cr_expect_eq(c.max_message_cost, 256ull << 20);
	cr_expect_eq(c.max_part_size, 50ull << 20);
	cr_expect_eq(c.max_ratio, 500);
	cr_expect_eq(c.ratio_min_size, 1ull << 20);
	cr_expect_eq(c.max_parts, 1000);
	cr_expect_eq(c.max_mime_depth, 32);
	cr_expect_eq(c.max_archive_depth, 4);
	cr_expect_eq(c.max_archive_entries, 20000);
	conf_free(&c);
}

Test(conf, sizes)
{
	uint64_t n;

	cr_expect_eq(conf_parse_size("10", &n), 0);
	cr_expect_eq(n, 10);
	cr_expect_eq(conf_parse_size("4k", &n), 0);
	cr_expect_eq(n, 4096);
	cr_expect_eq(conf_parse_size("2G", &n), 0);
	cr_expect_eq(n, 2ull << 30);
	cr_expect_eq(conf_parse_size("3MB", &n), 0);
	cr_expect_eq(n, 3ull << 20);
	cr_expect_neq(conf_parse_size("", &n), 0);
	cr_expect_neq(conf_parse_size("-1", &n), 0);
	cr_expect_neq(conf_parse_size("12X", &n), 0);
	cr_expect_neq(conf_parse_size("99999999999T", &n), 0);
	cr_expect_neq(conf_parse_size("99999999999999999999999", &n), 0);
}

Test(conf, load_and_errors_name_file_and_line)
{
	struct conf c;
	char    err[512];
	char   *path;

	conf_defaults(&c);
	path = write_tmp("# comment\n\nmax_part_size = 10M   # trailing comment\n"
			 "max_ratio=50\nencrypted_archive = \"reject\"\n");
	cr_expect_eq(conf_load(&c, path, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(c.max_part_size, 10ull << 20);
	cr_expect_eq(c.max_ratio, 50);
	cr_expect_eq(c.encrypted_archive, 1);
	unlink(path);

	path = write_tmp("max_ratio = 5\nno_such_key = 1\n");
	cr_expect_neq(conf_load(&c, path, err, sizeof(err)), 0);
	cr_expect(strstr(err, path) && strstr(err, ":2:") && strstr(err, "no_such_key"), "%s", err);
	unlink(path);

	path = write_tmp("max_mime_depth = 0\n");
	cr_expect_neq(conf_load(&c, path, err, sizeof(err)), 0);
	cr_expect(strstr(err, ":1:") && strstr(err, "out of range"), "%s", err);
	unlink(path);

	path = write_tmp("max_part_size = lots\n");
	cr_expect_neq(conf_load(&c, path, err, sizeof(err)), 0);
	cr_expect(strstr(err, "bad size"), "%s", err);
	unlink(path);

	path = write_tmp("max_parts\n");
	cr_expect_neq(conf_load(&c, path, err, sizeof(err)), 0);
	unlink(path);

	path = write_tmp("encrypted_archive = maybe\n");
	cr_expect_neq(conf_load(&c, path, err, sizeof(err)), 0);
	cr_expect(strstr(err, "accept|reject"), "%s", err);
	unlink(path);

	cr_expect_neq(conf_load(&c, "/nonexistent/defuse.conf", err, sizeof(err)), 0);
	cr_expect(strstr(err, "/nonexistent/defuse.conf"), "%s", err);
	conf_free(&c);
}

Test(conf, print_reads_back)
{
	struct conf a, b;
	char    err[512];
	char    path[] = "/tmp/defuse-test-print-XXXXXX";
	int     fd = mkstemp(path);
	FILE   *fp = fdopen(fd, "w");

	conf_defaults(&a);
	cr_assert_eq(conf_set(&a, "max_part_size", "3M", err, sizeof(err)), 0);
	cr_assert_eq(conf_set(&a, "max_parts", "77", err, sizeof(err)), 0);
	conf_print(&a, fp);
	fclose(fp);
	conf_defaults(&b);
	cr_expect_eq(conf_load(&b, path, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(b.max_part_size, 3ull << 20);
	cr_expect_eq(b.max_parts, 77);
	for (size_t i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].type == CONF_STR)
			continue;
		cr_expect(memcmp((char *) &a + conf_keys[i].offset, (char *) &b + conf_keys[i].offset,
				 conf_keys[i].type == CONF_SIZE || conf_keys[i].type == CONF_UINT ? 8 : sizeof(int)) == 0,
			  "%s", conf_keys[i].name);
	}
	unlink(path);
	conf_free(&a);
	conf_free(&b);
}

Test(conf, every_key_has_help_and_a_valid_default)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		struct conf c;
		char    err[512];

		cr_expect_gt(strlen(conf_keys[i].help), 10, "%s", conf_keys[i].name);
		memset(&c, 0, sizeof(c));
		if (conf_keys[i].def)
			cr_expect_eq(conf_set(&c, conf_keys[i].name, conf_keys[i].def, err, sizeof(err)), 0,
				     "%s: %s", conf_keys[i].name, err);
		conf_free(&c);
	}
}

Test(conf, sample_documents_every_key)
{
	const char *src = getenv("DEFUSE_SRCDIR");
	char    path[4096];
	struct conf c;
	char    err[512];
	FILE   *fp;
	static char text[1 << 18];
	size_t  n;

	snprintf(path, sizeof(path), "%s/conf/defuse.conf", src ? src : "..");
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = 0;
	fclose(fp);
	for (size_t i = 0; i < conf_nkeys; i++) {
		char    pat[128];

		snprintf(pat, sizeof(pat), "\n# %s = ", conf_keys[i].name);
		cr_expect(strstr(text, pat) || (snprintf(pat, sizeof(pat), "\n%s = ", conf_keys[i].name), strstr(text, pat)),
			  "%s does not document %s", path, conf_keys[i].name);
	}
	conf_defaults(&c);
	cr_expect_eq(conf_load(&c, path, err, sizeof(err)), 0, "%s", err);
	conf_free(&c);
}
