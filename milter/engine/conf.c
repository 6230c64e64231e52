/*
 * NAME
 *	conf 3
 * SUMMARY
 *	configuration loader
 * SYNOPSIS
 *	#include "conf.h"
 *
 *	void	conf_defaults(conf)
 *	int	conf_set(conf, key, value, err, errlen)
 *	int	conf_load(conf, path, err, errlen)
 *	void	conf_print(conf, fp)
 *	void	conf_free(conf)
 * DESCRIPTION
 *	conf_defaults() fills a struct conf with the built-in defaults of
 *	the key table; defuse runs with no configuration file at all.
 *
 *	conf_set() sets one key from its text (a "key=value" given with
 *	-o, or one line of a file).  Sizes take a K, M, G or T suffix
 *	(powers of 1024); booleans are yes/no, true/false, on/off, 1/0.
 *	A value outside the key's range, an unknown key or a malformed
 *	value is refused with a message in err.
 *
 *	conf_load() reads "key = value" lines from a file; '#' starts a
 *	comment, blank lines are ignored, a value may be quoted with
 *	double quotes.  Every error names the file and the line.  The
 *	first error stops loading and leaves the struct partly updated:
 *	load into a fresh copy and swap it in only on success.
 *
 *	conf_print() writes every key with its effective value, in the
 *	file format, so that -t output can be read back.
 *
 *	All return 0 on success and -1 on error.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define CONF_LINE_MAX	4096

const struct conf_key conf_keys[] = {
#define CONF_ROW(name, type, def, min, max, choices, help) \
	{#name, CONF_##type, def, min, max, choices, help, offsetof(struct conf, name)},
	CONF_KEYS(CONF_ROW)
#undef CONF_ROW
};

const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);

/* conf_parse_size - "256M" to bytes */

int     conf_parse_size(const char *text, uint64_t *out)
{
	char   *end;
	unsigned long long n;
	unsigned shift = 0;

	if (!isdigit((unsigned char) *text))
		return (-1);
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno != 0)
		return (-1);
	switch (toupper((unsigned char) *end)) {
	case 'K':
		shift = 10, end++;
		break;
	case 'M':
		shift = 20, end++;
		break;
	case 'G':
		shift = 30, end++;
		break;
	case 'T':
		shift = 40, end++;
		break;
	}
	if (shift != 0 && toupper((unsigned char) *end) == 'B')
		end++;
	if (*end != 0 || (shift != 0 && n > (UINT64_MAX >> shift)))
		return (-1);
	*out = (uint64_t) n << shift;
	return (0);
}

/* conf_choice - index of word in a '|' list, -1 if absent */

static int conf_choice(const char *choices, const char *word)
{
	size_t  len = strlen(word);
	int     idx = 0;

	for (const char *p = choices; *p; idx++) {
		size_t  n = strcspn(p, "|");

		if (n == len && strncasecmp(p, word, n) == 0)
			return (idx);
		p += n;
		if (*p == '|')
			p++;
	}
	return (-1);
}

/* conf_bool - yes/no to 1/0, -1 if neither */

static int conf_bool(const char *word)
{
	int     idx = conf_choice("no|yes|false|true|off|on|0|1", word);

	return (idx < 0 ? -1 : idx % 2);
}

/* conf_find - a key by name */

static const struct conf_key *conf_find(const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return (&conf_keys[i]);
	return (NULL);
}

/* conf_set_key - set one known key */

static int conf_set_key(struct conf *conf, const struct conf_key *k,
			        const char *value, char *err, size_t errlen)
{
	char   *field = (char *) conf + k->offset;
	uint64_t n;
	char   *end;
	int     idx;

	switch (k->type) {
	case CONF_SIZE:
	case CONF_UINT:
		if (k->type == CONF_SIZE) {
			if (conf_parse_size(value, &n) < 0) {
				snprintf(err, errlen, "%s: bad size \"%s\" (a number, optionally with K, M, G or T)",
					 k->name, value);
				return (-1);
			}
		} else {
			errno = 0;
			n = strtoull(value, &end, 10);
			if (!isdigit((unsigned char) *value) || *end != 0 || errno != 0) {
				snprintf(err, errlen, "%s: bad number \"%s\"", k->name, value);
				return (-1);
			}
		}
		if (n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: %s is out of range (%" PRIu64 " to %" PRIu64 ")",
				 k->name, value, k->min, k->max);
			return (-1);
		}
		memcpy(field, &n, sizeof(n));
		return (0);
	case CONF_BOOL:
	case CONF_ENUM:
		idx = (k->type == CONF_BOOL ? conf_bool(value) : conf_choice(k->choices, value));
		if (idx < 0) {
			snprintf(err, errlen, "%s: bad value \"%s\" (one of %s)", k->name, value,
				 k->type == CONF_BOOL ? "yes|no" : k->choices);
			return (-1);
		}
		memcpy(field, &idx, sizeof(idx));
		return (0);
	case CONF_STR:{
			char   *old, *copy;

			if ((copy = strdup(value)) == 0) {
				snprintf(err, errlen, "%s: out of memory", k->name);
				return (-1);
			}
			memcpy(&old, field, sizeof(old));
			free(old);
			memcpy(field, &copy, sizeof(copy));
			return (0);
		}
	}
	snprintf(err, errlen, "%s: internal error", k->name);
	return (-1);
}

/* conf_set - set a key from text */

int     conf_set(struct conf *conf, const char *key, const char *value,
		         char *err, size_t errlen)
{
	const struct conf_key *k;

	if ((k = conf_find(key)) == 0) {
		snprintf(err, errlen, "unknown key \"%s\"", key);
		return (-1);
	}
	return (conf_set_key(conf, k, value, err, errlen));
}

/* conf_defaults - the built-in configuration */

void    conf_defaults(struct conf *conf)
{
	char    err[256];

	memset(conf, 0, sizeof(*conf));
	for (size_t i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].def == 0)
			continue;
		if (conf_set_key(conf, &conf_keys[i], conf_keys[i].def, err, sizeof(err)) != 0) {
			/* A bad default is a bug in the table, caught by the tests. */
			fprintf(stderr, "defuse: bad built-in default: %s\n", err);
		}
	}
}

/* conf_trim - strip blanks at both ends, in place */

static char *conf_trim(char *s)
{
	char   *end;

	while (isspace((unsigned char) *s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char) end[-1]))
		*--end = 0;
	return (s);
}

/* conf_line - one line of a file: 0 done, -1 error */

static int conf_line(struct conf *conf, char *line, char *err, size_t errlen)
{
	char   *key, *value, *sep, *close;

	key = conf_trim(line);
	if (*key == 0 || *key == '#')
		return (0);
	if ((sep = strchr(key, '=')) == 0) {
		snprintf(err, errlen, "expected \"key = value\"");
		return (-1);
	}
	*sep = 0;
	key = conf_trim(key);
	value = conf_trim(sep + 1);
	if (*value == '"') {
		if ((close = strchr(value + 1, '"')) == 0) {
			snprintf(err, errlen, "%s: unbalanced quote", key);
			return (-1);
		}
		*close = 0;
		sep = conf_trim(close + 1);
		if (*sep != 0 && *sep != '#') {
			snprintf(err, errlen, "%s: text after the quoted value", key);
			return (-1);
		}
		value++;
	} else {
		if ((sep = strchr(value, '#')) != 0)
			*sep = 0;
		value = conf_trim(value);
		if (*value == 0) {
			snprintf(err, errlen, "%s: missing value", key);
			return (-1);
		}
	}
	return (conf_set(conf, key, value, err, errlen));
}

/* conf_load - read a configuration file */

int     conf_load(struct conf *conf, const char *path, char *err, size_t errlen)
{
	char    line[CONF_LINE_MAX + 2];
	char    why[512];
	unsigned lineno = 0;
	FILE   *fp;

	if ((fp = fopen(path, "r")) == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while (fgets(line, sizeof(line), fp) != 0) {
		lineno++;
		if (strchr(line, '\n') == 0 && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line longer than %d characters",
				 path, lineno, CONF_LINE_MAX);
			fclose(fp);
			return (-1);
		}
		if (conf_line(conf, line, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			fclose(fp);
			return (-1);
		}
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		fclose(fp);
		return (-1);
	}
	fclose(fp);
	return (0);
}

/* conf_print_size - bytes, in the largest exact unit */

static void conf_print_size(uint64_t n, FILE *fp)
{
	static const char units[] = "KMGT";
	int     u = -1;

	while (n != 0 && (n & 1023) == 0 && u < 3)
		n >>= 10, u++;
	if (u < 0)
		fprintf(fp, "%" PRIu64, n);
	else
		fprintf(fp, "%" PRIu64 "%c", n, units[u]);
}

/* conf_print - every key with its effective value */

void    conf_print(const struct conf *conf, FILE *fp)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *field = (const char *) conf + k->offset;
		uint64_t n;
		int     idx;
		char   *s;

		fprintf(fp, "%s = ", k->name);
		switch (k->type) {
		case CONF_SIZE:
			memcpy(&n, field, sizeof(n));
			conf_print_size(n, fp);
			break;
		case CONF_UINT:
			memcpy(&n, field, sizeof(n));
			fprintf(fp, "%" PRIu64, n);
			break;
		case CONF_BOOL:
			memcpy(&idx, field, sizeof(idx));
			fputs(idx ? "yes" : "no", fp);
			break;
		case CONF_ENUM:{
				const char *p = k->choices;

				memcpy(&idx, field, sizeof(idx));
				for (int j = 0; j < idx && p; j++)
					if ((p = strchr(p, '|')) != 0)
						p++;
				fprintf(fp, "%.*s", p ? (int) strcspn(p, "|") : 1, p ? p : "?");
				break;
			}
		case CONF_STR:
			memcpy(&s, field, sizeof(s));
			fprintf(fp, "\"%s\"", s ? s : "");
			break;
		}
		fputc('\n', fp);
	}
}

/* conf_free - release the strings of a configuration */

void    conf_free(struct conf *conf)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		char   *s;

		if (conf_keys[i].type != CONF_STR)
			continue;
		memcpy(&s, (char *) conf + conf_keys[i].offset, sizeof(s));
		free(s);
		s = 0;
		memcpy((char *) conf + conf_keys[i].offset, &s, sizeof(s));
	}
}
