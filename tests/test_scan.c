/*
 * test_scan - defuse-scan, the real binary: output, --json, exit codes
 * (0 accepted, 1 rejected, 2 error naming the file), -c and -o.
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static char out[65536];

static int run(const char *args, const char *input)
{
	const char *bd = getenv("DEFUSE_BUILDDIR");
	char    cmd[8192], inpath[64] = "";
	FILE   *fp;
	size_t  n;
	int     status;

	if (input) {
		int     fd;

		strcpy(inpath, "/tmp/defuse-scan-in-XXXXXX");
		fd = mkstemp(inpath);
		cr_assert_eq(write(fd, input, strlen(input)), (ssize_t) strlen(input));
		close(fd);
	}
	snprintf(cmd, sizeof(cmd), "%s/milter/defuse-scan %s %s 2>&1", bd ? bd : "..", args, inpath);
	fp = popen(cmd, "r");
	cr_assert_not_null(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = 0;
	status = pclose(fp);
	if (inpath[0])
		unlink(inpath);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

#define CLEAN "Subject: hi\r\n\r\nhello\r\n"

Test(scan, accept_prints_the_record)
{
	cr_expect_eq(run("", CLEAN), 0, "%s", out);
	cr_expect(strstr(out, ": verdict=accept reason=none where=- raw=22 decoded=7 "), "%s", out);
	cr_expect(strstr(out, " cost=29 "), "%s", out);
}

Test(scan, reject_exit_1)
{
	cr_expect_eq(run("-o max_part_size=3", CLEAN), 1, "%s", out);
	cr_expect(strstr(out, "verdict=reject reason=part_size where=1 "), "%s", out);
}

Test(scan, json)
{
	static const char *const fields[] = {
		"\"verdict\":", "\"reason\":", "\"where\":", "\"raw\":", "\"decoded\":",
		"\"expanded\":", "\"cost\":", "\"inflated\":", "\"parts\":", "\"mime_depth\":",
		"\"archive_depth\":", "\"peak_mem\":", "\"mem\":{", "\"findings\":[", "\"ms\":",
	};

	cr_expect_eq(run("--json --chunk-size 1", CLEAN), 0, "%s", out);
	cr_expect_eq(out[0], '{');
	cr_expect(strstr(out, "}\n"));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cr_expect(strstr(out, fields[i]), "missing %s in %s", fields[i], out);
}

Test(scan, missing_file_is_error_2_naming_it)
{
	cr_expect_eq(run("/nonexistent/message.eml", 0), 2, "%s", out);
	cr_expect(strstr(out, "/nonexistent/message.eml"), "%s", out);
}

Test(scan, bad_options)
{
	cr_expect_eq(run("-o no_such_key=1", CLEAN), 2, "%s", out);
	cr_expect(strstr(out, "no_such_key"), "%s", out);
	cr_expect_eq(run("--chunk-size 0", CLEAN), 2, "%s", out);
	cr_expect_eq(run("-c /nonexistent/defuse.conf", CLEAN), 2, "%s", out);
	cr_expect(strstr(out, "/nonexistent/defuse.conf"), "%s", out);
}

Test(scan, config_file_error_names_line)
{
	char    path[] = "/tmp/defuse-scan-conf-XXXXXX";
	char    args[128];
	int     fd = mkstemp(path);

	cr_assert_eq(write(fd, "max_parts = 5\nmax_ratio = x\n", 28), 28);
	close(fd);
	snprintf(args, sizeof(args), "-c %s", path);
	cr_expect_eq(run(args, CLEAN), 2, "%s", out);
	cr_expect(strstr(out, ":2:"), "%s", out);
	unlink(path);
}

Test(scan, several_files_worst_status)
{
	char    a[] = "/tmp/defuse-scan-a-XXXXXX", b[] = "/tmp/defuse-scan-b-XXXXXX";
	char    args[256];
	int     fa = mkstemp(a), fb = mkstemp(b);
	char   *nl;

	cr_assert_eq(write(fa, CLEAN, strlen(CLEAN)), (ssize_t) strlen(CLEAN));
	cr_assert_eq(write(fb, "Subject: x\n\n0123456789\n", 23), 23);
	close(fa), close(fb);
	snprintf(args, sizeof(args), "-o max_part_size=8 %s %s", a, b);
	cr_expect_eq(run(args, 0), 1, "%s", out);
	nl = strchr(out, '\n');
	cr_assert_not_null(nl);
	cr_expect(strstr(out, "verdict=accept") < nl && strstr(nl, "verdict=reject"), "%s", out);
	unlink(a), unlink(b);
}
