/*
 * NAME
 *	formats 3
 * SUMMARY
 *	the table of formats the sniffer knows, as data
 * SYNOPSIS
 *	#include "formats.h"
 *
 *	const struct format formats[];
 *
 *	const struct format *format_claim(win, len, type, declared, named, how)
 *	int	format_wants_type(win, len)
 *	const struct format *format_by_name(name, namelen)
 *	const struct format *format_find(name)
 * DESCRIPTION
 *	Each row describes a format by data: magic bytes at an offset, an
 *	optional probe for what magic bytes cannot say, the exact media
 *	types, the file-name extensions, and its walker.
 *
 *	format_claim() runs in passes, each over the whole table, and the
 *	first row that a pass finds takes the stream:
 *
 *	1. magic: the row's bytes at its offsets in the window;
 *	2. content: libmagic's type among the row's types, then, row by
 *	   row, the probes (tar's checksum, a zip behind a stub, a gzip
 *	   or an LZMA header by its fields);
 *	3. declared: a MIME leaf's Content-Type among the row's types (an
 *	   application/zip whose archive starts past the window is what
 *	   any unzip finds, since unzip reads the end record);
 *	4. name: the extension of the leaf's or member's name ("x.zip",
 *	   "report.docx", "logs.tar.xz"): a member has no declared type,
 *	   and a leaf's is often application/octet-stream, yet a filter
 *	   that unpacks by name opens it;
 *	5. hunt: the first row marked embedded (zip) takes a stream that
 *	   nobody claimed and looks for its format anywhere in it.
 *
 *	So a walker never decides what other formats are not: a bzip2
 *	stream declared application/x-bzip2 is bzip2's by its magic in
 *	pass 1 before any type is compared, and the types are compared
 *	whole, so "x-bzip2" is not zip's for holding "zip".
 *
 *	Types are compared without regard to case; a trailing '*' makes
 *	a pattern a prefix, a leading '*' a suffix.
 * SEE ALSO
 *	node.c, the sniffer; one walker file per row.
 */

#include <string.h>
#include <strings.h>

#include "cstream.h"
#include "formats.h"
#include "gzip.h"
#include "tar.h"
#include "zip.h"

/* What libmagic, MUAs and web servers call zip-based formats, and the
 * programs that may be self-extractors (libmagic 5.44 names a Windows
 * PE program application/vnd.microsoft.portable-executable, a bare DOS
 * one application/x-dosexec). */
static const char *const zip_types[] = {
	"application/zip", "application/x-zip", "application/x-zip-compressed",
	"application/zip-compressed", "application/java-archive",
	"application/x-java-archive", "application/x-jar", "application/epub+zip",
	"*+zip", "application/vnd.android.package-archive",
	"application/vnd.openxmlformats-officedocument.*",
	"application/vnd.oasis.opendocument.*",
	"application/vnd.ms-word.document.macroenabled.12",
	"application/vnd.ms-word.template.macroenabled.12",
	"application/vnd.ms-excel.sheet.macroenabled.12",
	"application/vnd.ms-excel.template.macroenabled.12",
	"application/vnd.ms-excel.addin.macroenabled.12",
	"application/vnd.ms-excel.sheet.binary.macroenabled.12",
	"application/vnd.ms-powerpoint.presentation.macroenabled.12",
	"application/vnd.ms-powerpoint.slideshow.macroenabled.12",
	"application/vnd.ms-powerpoint.template.macroenabled.12",
	"application/vnd.ms-powerpoint.addin.macroenabled.12",
	"application/vnd.google-earth.kmz", "application/x-xpinstall",
	"application/vnd.ms-xpsdocument", "application/oxps",
	"application/x-dosexec", "application/vnd.microsoft.portable-executable",
	"application/x-msdownload", "application/x-executable",
	"application/x-pie-executable", 0,
};
static const char *const zip_exts[] = {
	".zip", ".zipx", ".jar", ".war", ".ear", ".apk", ".aab", ".xpi", ".whl",
	".nupkg", ".kmz", ".epub", ".docx", ".docm", ".dotx", ".dotm", ".xlsx",
	".xlsm", ".xltx", ".xltm", ".xlam", ".xlsb", ".pptx", ".pptm", ".potx",
	".ppsx", ".odt", ".ods", ".odp", ".odg", ".ott", ".xps", ".oxps", 0,
};
static const char *const gzip_types[] = {
	"application/gzip", "application/x-gzip", "application/x-gunzip",
	"application/gzipped", "application/gzip-compressed",
	"application/x-gzip-compressed", "gzip/document", 0,
};
static const char *const gzip_exts[] = {".gz", ".tgz", ".gzip", ".taz", 0};
static const char *const bzip2_types[] = {
	"application/x-bzip2", "application/x-bzip", "application/bzip2",
	"application/x-bz2", 0,
};
static const char *const bzip2_exts[] = {".bz2", ".bz", ".tbz", ".tbz2", ".tb2", 0};
static const char *const xz_types[] = {"application/x-xz", "application/xz", 0};
static const char *const xz_exts[] = {".xz", ".txz", 0};
static const char *const lzma_types[] = {"application/x-lzma", "application/lzma", 0};
static const char *const lzma_exts[] = {".lzma", ".tlz", 0};
static const char *const zstd_types[] = {"application/zstd", "application/x-zstd", 0};
static const char *const zstd_exts[] = {".zst", ".zstd", ".tzst", 0};

/*
 * The table.  Order matters only within a pass: tar's probe (a header
 * checksum, exact) comes before the searching probes of zip and gzip,
 * and zip is the first (the only) embedded row.
 */
const struct format formats[] = {
	{"tar", {{0}}, tar_probe, 0, 0, 0, &tar_analyser, 0},
	{"zip", {{0, 4, "PK\3\4"}, {0, 4, "PK\5\6"}, {0, 4, "PK\7\10"}},
	 zip_probe, zip_wants_type, zip_types, zip_exts, &zip_analyser, 1},
	{"gzip", {{0, 3, "\37\213\10"}}, gzip_probe, 0, gzip_types, gzip_exts,
	 &gzip_analyser, 0},
	{"bzip2", {{0}}, cstream_probe_bzip2, 0, bzip2_types, bzip2_exts,
	 &bzip2_analyser, 0},
	{"xz", {{0, 6, "\375" "7zXZ\0"}}, 0, 0, xz_types, xz_exts, &xz_analyser, 0},
	{"zstd", {{0, 4, "\50\265\57\375"}}, cstream_probe_zstd, 0, zstd_types,
	 zstd_exts, &zstd_analyser, 0},
	{"lzma", {{0}}, cstream_probe_lzma, 0, lzma_types, lzma_exts, &lzma_analyser, 0},
	{0},
};

/* format_magic - do the row's magic bytes stand in the window? */

static int format_magic(const struct format *f, const uint8_t *win, size_t len)
{
	for (int i = 0; i < FORMAT_MAGICS && f->magic[i].len > 0; i++) {
		const struct format_magic *m = &f->magic[i];

		if ((size_t) m->off + m->len <= len
		    && memcmp(win + m->off, m->bytes, m->len) == 0)
			return (1);
	}
	return (0);
}

/* format_type_is - does a media type match a pattern of the table? */

static int format_type_is(const char *type, const char *pat)
{
	size_t  tl = strlen(type), pl = strlen(pat);

	if (pl > 0 && pat[pl - 1] == '*')
		return (tl >= pl - 1 && strncasecmp(type, pat, pl - 1) == 0);
	if (pat[0] == '*')
		return (tl >= pl - 1 && strcasecmp(type + tl - (pl - 1), pat + 1) == 0);
	return (strcasecmp(type, pat) == 0);
}

/* format_typed - the first row whose types hold type, or NULL */

static const struct format *format_typed(const char *type)
{
	if (type == 0 || type[0] == 0)
		return (0);
	for (const struct format *f = formats; f->name; f++)
		for (int i = 0; f->types && f->types[i]; i++)
			if (format_type_is(type, f->types[i]))
				return (f);
	return (0);
}

/* format_by_name - the first row one of whose extensions ends name */

const struct format *format_by_name(const char *name, size_t namelen)
{
	size_t  n;

	if (name == 0)
		return (0);
	for (const struct format *f = formats; f->name; f++)
		for (int i = 0; f->exts && f->exts[i]; i++) {
			n = strlen(f->exts[i]);
			if (namelen > n && strncasecmp(name + namelen - n, f->exts[i], n) == 0)
				return (f);
		}
	return (0);
}

/* format_find - the row called name */

const struct format *format_find(const char *name)
{
	for (const struct format *f = formats; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return (f);
	return (0);
}

/* format_wants_type - would a probe look at libmagic's type here? */

int     format_wants_type(const uint8_t *win, size_t len)
{
	for (const struct format *f = formats; f->name; f++)
		if (f->wants_type && f->wants_type(win, len))
			return (1);
	return (0);
}

/* format_claim - the passes */

const struct format *format_claim(const uint8_t *win, size_t len,
				          const char *type, const char *declared,
				          const struct format *named, int *how)
{
	const struct format *f;

	*how = 0;
	if (len == 0)
		return (0);
	for (f = formats; f->name; f++)
		if (format_magic(f, win, len))
			return (*how = FORMAT_BY_MAGIC, f);
	if ((f = format_typed(type)) != 0)
		return (*how = FORMAT_BY_CONTENT, f);
	for (f = formats; f->name; f++)
		if (f->probe && f->probe(type ? type : "", win, len))
			return (*how = FORMAT_BY_CONTENT, f);
	if ((f = format_typed(declared)) != 0)
		return (*how = FORMAT_BY_DECLARED, f);
	if (named != 0)
		return (*how = FORMAT_BY_NAME, named);
	for (f = formats; f->name; f++)
		if (f->embedded)
			return (*how = FORMAT_BY_HUNT, f);
	return (0);
}
