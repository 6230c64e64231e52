/*
 * NAME
 *	test_logger 1
 * SUMMARY
 *	tests of the per-message log line and the JSON-lines file
 * DESCRIPTION
 *	The key=value line starts with the queue id and the action, then
 *	the record; a missing or hostile queue id; the JSON line carries
 *	queue_id and action before the record's fields; logger_open()
 *	writes one line per message to log_json and refuses a path it
 *	cannot open while keeping the old file.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "logger.h"

static struct record rec_reject(void)
{
	struct record rec;

	memset(&rec, 0, sizeof(rec));
	rec.verdict = VERDICT_REJECT;
	rec.reason = REASON_RATIO;
	snprintf(rec.where, sizeof(rec.where), "2/a.zip/b.bin");
	rec.raw = 43210;
	return (rec);
}

Test(logger, kv_line)
{
	struct record rec = rec_reject();
	char    buf[4096];

	const char *want = "4Xb2Lc0vYz: action=reject verdict=reject reason=ratio where=2/a.zip/b.bin raw=43210 ";

	logger_kv_line(buf, sizeof(buf), "4Xb2Lc0vYz", "reject", &rec);
	cr_expect(strncmp(buf, want, strlen(want)) == 0, "%s", buf);
	logger_kv_line(buf, sizeof(buf), NULL, "monitor", &rec);
	cr_expect(strncmp(buf, "NOQUEUE: action=monitor ", 24) == 0, "%s", buf);
	logger_kv_line(buf, sizeof(buf), "", "tag", &rec);
	cr_expect(strncmp(buf, "NOQUEUE: ", 9) == 0, "%s", buf);
	logger_kv_line(buf, sizeof(buf), "AB\r\nC D", "tag", &rec);
	cr_expect(strncmp(buf, "AB??C_D: ", 9) == 0, "%s", buf);
	cr_expect(strchr(buf, '\n') == 0);
}

Test(logger, kv_line_small_buffer)
{
	struct record rec = rec_reject();
	char    buf[16];

	logger_kv_line(buf, sizeof(buf), "4Xb2Lc0vYz", "reject", &rec);
	cr_expect_lt(strlen(buf), sizeof(buf));
}

Test(logger, json_line)
{
	struct record rec = rec_reject();
	char    buf[4096];
	size_t  n = logger_json_line(buf, sizeof(buf), "Q1", "reject", &rec);

	cr_assert_gt(n, 0);
	const char *want = "{\"queue_id\":\"Q1\",\"action\":\"reject\",\"verdict\":\"reject\",\"reason\":\"ratio\",";

	cr_expect(strncmp(buf, want, strlen(want)) == 0, "%s", buf);
	cr_expect_eq(buf[n - 1], '\n');
	cr_expect_eq(buf[n - 2], '}');
	cr_expect(memchr(buf, '\n', n - 1) == 0);
}

Test(logger, json_file)
{
	char    dir[] = "/tmp/test_logger.XXXXXX", path[256], err[256], line[4096];
	struct conf c;
	struct record rec = rec_reject();
	FILE   *fp;
	int     lines = 0;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log.json", dir);
	conf_defaults(&c);
	free(c.log_json);
	c.log_json = strdup(path);
	cr_assert_eq(logger_open(&c, err, sizeof(err)), 0, "%s", err);
	logger_message("Q1", "reject", &rec);
	logger_message("Q2", "tag", &rec);
	free(c.log_json);
	c.log_json = strdup("/nonexistent/dir/log.json");
	cr_expect_eq(logger_open(&c, err, sizeof(err)), -1);
	cr_expect(strstr(err, "/nonexistent/dir/log.json") != 0, "%s", err);
	logger_message("Q3", "monitor", &rec);	/* still the old file */
	logger_close();
	cr_assert((fp = fopen(path, "r")) != 0);
	while (fgets(line, sizeof(line), fp))
		cr_expect(strncmp(line, "{\"queue_id\":\"Q", 14) == 0 && ++lines, "%s", line);
	fclose(fp);
	cr_expect_eq(lines, 3);
	unlink(path);
	rmdir(dir);
	conf_free(&c);
}
