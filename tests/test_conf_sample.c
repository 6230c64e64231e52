/*
 * NAME
 *	test_conf_sample 1
 * SUMMARY
 *	the sample configuration documents every key and loads
 * DESCRIPTION
 *	conf/defuse.conf must set every key of conf_keys[] (as an active
 *	"key = value" line, after a comment line that explains it), load
 *	without error, and leave every key at its built-in default: the
 *	sample documents the defaults, it does not change them.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "conf.h"

static const char *sample_path(void)
{
	static char path[4096];
	const char *src = getenv("DEFUSE_SRCDIR");

	snprintf(path, sizeof(path), "%s/conf/defuse.conf", src && *src ? src : ".");
	return (path);
}

Test(conf_sample, every_key_documented)
{
	FILE   *fp = fopen(sample_path(), "r");
	char    line[4096], prev[4096] = "";
	char   *seen;

	cr_assert(fp, "cannot open %s (set DEFUSE_SRCDIR)", sample_path());
	seen = calloc(conf_nkeys, 1);
	while (fgets(line, sizeof(line), fp)) {
		for (size_t i = 0; i < conf_nkeys; i++) {
			size_t  n = strlen(conf_keys[i].name);

			if (strncmp(line, conf_keys[i].name, n) == 0
			    && strncmp(line + n, " = ", 3) == 0) {
				cr_expect(prev[0] == '#', "%s: no comment above", conf_keys[i].name);
				seen[i]++;
			}
		}
		strcpy(prev, line);
	}
	fclose(fp);
	for (size_t i = 0; i < conf_nkeys; i++)
		cr_expect_eq(seen[i], 1, "key %s appears %d times in %s",
			     conf_keys[i].name, seen[i], sample_path());
	free(seen);
}

Test(conf_sample, loads_and_keeps_defaults)
{
	struct conf def, sample;
	char    err[512], *a = 0, *b = 0;
	size_t  alen, blen;
	FILE   *fa, *fb;

	conf_defaults(&def);
	conf_defaults(&sample);
	cr_assert_eq(conf_load(&sample, sample_path(), err, sizeof(err)), 0, "%s", err);
	fa = open_memstream(&a, &alen);
	fb = open_memstream(&b, &blen);
	conf_print(&def, fa);
	conf_print(&sample, fb);
	fclose(fa);
	fclose(fb);
	cr_expect_str_eq(b, a, "the sample changes a default");
	free(a);
	free(b);
	conf_free(&def);
	conf_free(&sample);
}
