/*
 * bombs - archives built in memory at test time.  See bombs.h.
 *
 * Everything aborts on allocation failure: this is test code.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "bombs.h"
#include "codec.h"
#include "msg.h"
#include "node.h"
#include "record.h"

#define SEGMENT	(1u << 20)

static void die(const char *what)
{
	fprintf(stderr, "bombs: %s\n", what);
	abort();
}

static void put16(struct tu_buf *b, uint16_t v)
{
	uint8_t p[2] = {v & 0xff, v >> 8};

	tu_put(b, p, 2);
}

static void put32(struct tu_buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

static void put64(struct tu_buf *b, uint64_t v)
{
	put32(b, (uint32_t) v);
	put32(b, (uint32_t) (v >> 32));
}

static uint32_t clamp32(uint64_t v, int zip64)
{
	return (zip64 || v > 0xfffffffful ? 0xffffffffu : (uint32_t) v);
}

/* deflate_into - raw deflate with the given flush at the end */

static void deflate_into(z_stream *z, struct tu_buf *out, const uint8_t *p,
			         size_t n, int flush)
{
	uint8_t buf[65536];
	int     ret;

	z->next_in = (Bytef *) p;
	z->avail_in = (uInt) n;
	do {
		z->next_out = buf;
		z->avail_out = sizeof(buf);
		ret = deflate(z, flush);
		if (ret == Z_STREAM_ERROR)
			die("deflate");
		tu_put(out, buf, sizeof(buf) - z->avail_out);
	} while (z->avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
}

void    bomb_deflate(struct tu_buf *out, const uint8_t *p, size_t n)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2");
	deflate_into(&z, out, p, n, Z_FINISH);
	deflateEnd(&z);
}

/* fill_repeat - len bytes of the pattern */

static void fill_repeat(uint8_t *p, size_t len, const char *pat, size_t plen)
{
	if (plen == 0) {
		memset(p, 0, len);
		return;
	}
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t) pat[i % plen];
}

void    bomb_deflate_repeat(struct tu_buf *out, const char *pat, size_t plen,
			            uint64_t n)
{
	size_t  seglen = plen ? SEGMENT / plen * plen : SEGMENT;
	uint64_t k = n / seglen;
	size_t  rem = (size_t) (n % seglen);
	struct tu_buf seg = {0};
	uint8_t *buf;
	z_stream z;

	if (plen)
		rem = rem / plen * plen;
	if ((buf = malloc(seglen)) == 0)
		die("malloc");
	fill_repeat(buf, seglen, pat, plen);
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2");
	if (k > 0)
		deflate_into(&z, &seg, buf, seglen, Z_FULL_FLUSH);
	for (uint64_t i = 0; i < k; i++)
		tu_put(out, seg.p, seg.len);
	deflateEnd(&z);
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2");
	deflate_into(&z, out, buf, rem, Z_FINISH);
	deflateEnd(&z);
	free(seg.p);
	free(buf);
}

uint32_t bomb_crc_repeat(const char *pat, size_t plen, uint64_t n)
{
	size_t  seglen = plen ? SEGMENT / plen * plen : SEGMENT;
	uint64_t k = n / seglen;
	size_t  rem = (size_t) (n % seglen);
	uint8_t *buf;
	uLong   crc, seg;

	if (plen)
		rem = rem / plen * plen;
	if ((buf = malloc(seglen)) == 0)
		die("malloc");
	fill_repeat(buf, seglen, pat, plen);
	seg = crc32(0, buf, (uInt) seglen);
	crc = crc32(0, Z_NULL, 0);
	for (uint64_t i = 0; i < k; i++)
		crc = crc32_combine(crc, seg, (z_off_t) seglen);
	crc = crc32(crc, buf, (uInt) rem);
	free(buf);
	return ((uint32_t) crc);
}

void    bomb_random(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed ? seed : 2463534242u;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t) (x >> 11);
	}
}

void    bomb_text(struct tu_buf *b, size_t n, uint32_t seed)
{
	static const char *const words[] = {
		"the", "message", "arrives", "with", "an", "attachment", "invoice",
		"quarterly", "report", "please", "find", "attached", "regards",
		"meeting", "tomorrow", "budget", "figures", "draft", "review",
		"zebra", "quantum", "lattice", "harbour", "copper", "velvet",
	};
	uint32_t x = seed ? seed : 88172645u;
	size_t  start = b->len;

	while (b->len - start < n) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		tu_puts(b, words[x % (sizeof(words) / sizeof(words[0]))]);
		tu_puts(b, x % 11 == 0 ? ".\n" : " ");
		if (x % 7 == 0)
			tu_printf(b, "%u ", x % 100000);
	}
	b->len = start + n;
}

/* Zip. */

static struct bomb_ent *bz_record(struct bomb_zip *z)
{
	if (z->n == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 16;
		if ((z->e = realloc(z->e, z->cap * sizeof(*z->e))) == 0)
			die("realloc");
	}
	memset(&z->e[z->n], 0, sizeof(z->e[0]));
	return (&z->e[z->n++]);
}

size_t  bz_lfh(struct bomb_zip *z, const char *name, uint16_t method,
	               uint16_t flags, uint32_t crc, uint64_t csize,
	               uint64_t usize, int zip64)
{
	struct bomb_ent *e = bz_record(z);
	struct tu_buf *b = &z->b;
	size_t  nlen = strlen(name);

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->off = b->len;
	e->method = method;
	e->flags = flags;
	e->crc = crc;
	e->csize = csize;
	e->usize = usize;
	e->zip64 = zip64;
	put32(b, 0x04034b50);
	put16(b, zip64 ? 45 : 20);
	put16(b, flags);
	put16(b, method);
	put16(b, 0);				/* time */
	put16(b, 0x21);				/* date: 1980-01-01 */
	put32(b, crc);
	put32(b, clamp32(csize, zip64));
	put32(b, clamp32(usize, zip64));
	put16(b, (uint16_t) nlen);
	put16(b, zip64 ? 20 : 0);
	tu_put(b, name, nlen);
	if (zip64) {
		put16(b, 1);
		put16(b, 16);
		put64(b, usize);
		put64(b, csize);
	}
	return (z->n - 1);
}

void    bz_dd(struct bomb_zip *z, uint32_t crc, uint64_t csize, uint64_t usize,
	              int sig, int wide)
{
	if (sig)
		put32(&z->b, 0x08074b50);
	put32(&z->b, crc);
	if (wide) {
		put64(&z->b, csize);
		put64(&z->b, usize);
	} else {
		put32(&z->b, (uint32_t) csize);
		put32(&z->b, (uint32_t) usize);
	}
}

void    bz_cd(struct bomb_zip *z, const struct bomb_ent *e)
{
	struct tu_buf *b = &z->b;
	size_t  nlen = strlen(e->name);

	put32(b, 0x02014b50);
	put16(b, 0x031e);
	put16(b, e->zip64 ? 45 : 20);
	put16(b, e->flags);
	put16(b, e->method);
	put16(b, 0);
	put16(b, 0x21);
	put32(b, e->crc);
	put32(b, clamp32(e->csize, e->zip64));
	put32(b, clamp32(e->usize, e->zip64));
	put16(b, (uint16_t) nlen);
	put16(b, e->zip64 ? 28 : 0);
	put16(b, 0);				/* comment */
	put16(b, 0);				/* disk */
	put16(b, 0);
	put32(b, 0100644u << 16);
	put32(b, clamp32(e->off, e->zip64));
	tu_put(b, e->name, nlen);
	if (e->zip64) {
		put16(b, 1);
		put16(b, 24);
		put64(b, e->usize);
		put64(b, e->csize);
		put64(b, e->off);
	}
}

void    bz_end(struct bomb_zip *z, uint64_t cd_off, uint64_t entries, int zip64)
{
	struct tu_buf *b = &z->b;
	uint64_t cd_size = b->len - cd_off;
	uint64_t eocd64 = b->len;

	if (zip64) {
		put32(b, 0x06064b50);
		put64(b, 44);
		put16(b, 45);
		put16(b, 45);
		put32(b, 0);
		put32(b, 0);
		put64(b, entries);
		put64(b, entries);
		put64(b, cd_size);
		put64(b, cd_off);
		put32(b, 0x07064b50);
		put32(b, 0);
		put64(b, eocd64);
		put32(b, 1);
	}
	put32(b, 0x06054b50);
	put16(b, 0);
	put16(b, 0);
	put16(b, zip64 || entries > 0xfffe ? 0xffff : (uint16_t) entries);
	put16(b, zip64 || entries > 0xfffe ? 0xffff : (uint16_t) entries);
	put32(b, clamp32(cd_size, zip64));
	put32(b, clamp32(cd_off, zip64));
	put16(b, 0);
}

void    bz_file(struct bomb_zip *z, const char *name, const uint8_t *p,
		        size_t n, uint16_t method, int dd)
{
	struct tu_buf comp = {0};
	uint32_t crc = (uint32_t) crc32(0, p, (uInt) n);
	const uint8_t *data = p;
	size_t  clen = n, i;

	if (method == 8) {
		bomb_deflate(&comp, p, n);
		data = comp.p;
		clen = comp.len;
	}
	i = bz_lfh(z, name, method, dd ? BZ_DD : 0, dd ? 0 : crc,
		   dd ? 0 : clen, dd ? 0 : n, 0);
	tu_put(&z->b, data, clen);
	if (dd)
		bz_dd(z, crc, clen, n, 1, 0);
	z->e[i].crc = crc;
	z->e[i].csize = clen;
	z->e[i].usize = n;
	free(comp.p);
}

void    bz_deflated(struct bomb_zip *z, const char *name, const struct tu_buf *d,
		            uint64_t usize, uint64_t declared, int dd)
{
	int     zip64 = declared > 0xfffffffful || d->len > 0xfffffffful;
	size_t  i;

	(void) usize;
	i = bz_lfh(z, name, 8, dd ? BZ_DD : 0, 0, dd ? 0 : d->len,
		   dd ? 0 : declared, zip64 && !dd);
	tu_put(&z->b, d->p, d->len);
	if (dd)
		bz_dd(z, 0, d->len, declared, 1, zip64);
	z->e[i].csize = d->len;
	z->e[i].usize = declared;
	z->e[i].zip64 = zip64;
}

void    bz_close(struct bomb_zip *z, int zip64)
{
	uint64_t cd_off = z->b.len;

	for (size_t i = 0; i < z->n; i++)
		bz_cd(z, &z->e[i]);
	bz_end(z, cd_off, z->n, zip64);
}

void    bz_free(struct bomb_zip *z)
{
	free(z->b.p);
	free(z->e);
	memset(z, 0, sizeof(*z));
}

/* take - move a zip's bytes out to a buffer */

static void take(struct tu_buf *out, struct bomb_zip *z)
{
	tu_put(out, z->b.p, z->b.len);
	bz_free(z);
}

void    bomb_zip_overlap_full(struct tu_buf *out, unsigned entries,
			              uint64_t kernel_usize, int zip64)
{
	struct bomb_zip z = {0};
	struct tu_buf k = {0};
	struct bomb_ent e;
	uint64_t cd_off;

	bomb_deflate_repeat(&k, 0, 0, kernel_usize);
	bz_lfh(&z, "0", 8, 0, bomb_crc_repeat(0, 0, kernel_usize), k.len,
	       kernel_usize, zip64);
	tu_put(&z.b, k.p, k.len);
	cd_off = z.b.len;
	for (unsigned i = 0; i < entries; i++) {
		e = z.e[0];
		snprintf(e.name, sizeof(e.name), "%u", i);
		bz_cd(&z, &e);
	}
	bz_end(&z, cd_off, entries, zip64);
	take(out, &z);
	free(k.p);
}

void    bomb_zip_overlap_quoted(struct tu_buf *out, unsigned entries,
				        uint64_t kernel_usize)
{
	struct bomb_zip z = {0};
	struct tu_buf k = {0};
	uint64_t *cs = calloc(entries, sizeof(*cs));
	uint64_t *us = calloc(entries, sizeof(*us));
	const size_t nlen = 8, lfh = 30 + nlen;
	char    name[16];

	if (cs == 0 || us == 0)
		die("calloc");
	bomb_deflate_repeat(&k, 0, 0, kernel_usize);
	cs[entries - 1] = k.len;
	us[entries - 1] = kernel_usize;
	for (unsigned i = entries - 1; i-- > 0;) {
		cs[i] = 5 + lfh + cs[i + 1];
		us[i] = lfh + us[i + 1];
	}
	for (unsigned i = 0; i < entries; i++) {
		snprintf(name, sizeof(name), "%08u", i);
		bz_lfh(&z, name, 8, 0, 0, cs[i], us[i], 0);
		if (i + 1 < entries) {
			/* A non-final stored block quoting the next header. */
			uint8_t q[5] = {0, lfh & 0xff, lfh >> 8,
				(uint8_t) ~(lfh & 0xff), (uint8_t) ~(lfh >> 8)};

			tu_put(&z.b, q, 5);
		}
	}
	tu_put(&z.b, k.p, k.len);
	bz_close(&z, 0);
	take(out, &z);
	free(k.p);
	free(cs);
	free(us);
}

void    bomb_zip_nested(struct tu_buf *out, unsigned layers, unsigned fanout,
			        uint64_t leaf_usize)
{
	struct tu_buf inner = {0}, d = {0};
	struct bomb_zip z = {0};
	char    name[32];

	bomb_deflate_repeat(&d, 0, 0, leaf_usize);
	for (unsigned l = 1; l <= layers; l++) {
		uint64_t usize = l == 1 ? leaf_usize : inner.len;

		if (l > 1) {
			d.len = 0;
			bomb_deflate(&d, inner.p, inner.len);
		}
		for (unsigned i = 0; i < fanout; i++) {
			snprintf(name, sizeof(name), l == 1 ? "%x.txt" : "%x.zip", i);
			bz_deflated(&z, name, &d, usize, usize, 0);
		}
		bz_close(&z, 0);
		inner.len = 0;
		take(&inner, &z);
	}
	tu_put(out, inner.p, inner.len);
	free(inner.p);
	free(d.p);
}

/* Gzip. */

void    bomb_gzip_member(struct tu_buf *out, const struct tu_buf *d, uint32_t crc,
			         uint64_t usize, const char *fname, int fancy)
{
	size_t  start = out->len;
	uint8_t h[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};

	if (fname)
		h[3] |= 0x08;
	if (fancy)
		h[3] |= 0x02 | 0x04 | 0x10;
	tu_put(out, h, 10);
	if (fancy) {
		put16(out, 6);
		tu_put(out, "AB\2\0xy", 6);
	}
	if (fname)
		tu_put(out, fname, strlen(fname) + 1);
	if (fancy) {
		tu_put(out, "a comment", 10);
		put16(out, (uint16_t) crc32(0, out->p + start, (uInt) (out->len - start)));
	}
	tu_put(out, d->p, d->len);
	put32(out, crc);
	put32(out, (uint32_t) usize);
}

void    bomb_gzip_zeros(struct tu_buf *out, uint64_t usize, unsigned members)
{
	uint64_t each = usize / members;
	struct tu_buf d = {0};
	uint32_t crc = bomb_crc_repeat(0, 0, each);

	bomb_deflate_repeat(&d, 0, 0, each);
	for (unsigned i = 0; i < members; i++)
		bomb_gzip_member(out, &d, crc, each, i == 0 ? "zeros" : 0, 0);
	free(d.p);
}

/* The other codecs. */

void    bomb_codec(struct tu_buf *out, int kind, int level, const uint8_t *data, size_t n)
{
	size_t  cap = n + n / 50 + 4096, len = cap;
	uint8_t *tmp = malloc(cap);
	unsigned int blen = (unsigned int) cap;
	lzma_options_lzma opt;
	lzma_stream ls = LZMA_STREAM_INIT;

	if (tmp == 0 || cap > 0x7fffffff)
		die("bomb_codec: size");
	switch (kind) {
	case CODEC_BZIP2:
		if (BZ2_bzBuffToBuffCompress((char *) tmp, &blen, (char *) data,
					     (unsigned int) n, level, 0, 0) != BZ_OK)
			die("BZ2_bzBuffToBuffCompress");
		len = blen;
		break;
	case CODEC_XZ:
	case CODEC_LZMA_ALONE:
		/* The stream encoders, as xz(1) uses them: the header keeps
		 * the preset's dictionary (the buffer encoder shrinks it to
		 * fit a small input). */
		if (kind == CODEC_XZ ? lzma_easy_encoder(&ls, (uint32_t) level, LZMA_CHECK_CRC64)
		    != LZMA_OK : lzma_lzma_preset(&opt, (uint32_t) level)
		    || lzma_alone_encoder(&ls, &opt) != LZMA_OK)
			die("lzma encoder");
		ls.next_in = data, ls.avail_in = n;
		ls.next_out = tmp, ls.avail_out = cap;
		if (lzma_code(&ls, LZMA_FINISH) != LZMA_STREAM_END)
			die("lzma_code");
		len = cap - ls.avail_out;
		lzma_end(&ls);
		break;
	case CODEC_ZSTD:
		len = ZSTD_compress(tmp, cap, data, n, level);
		if (ZSTD_isError(len))
			die("ZSTD_compress");
		break;
	default:
		die("bomb_codec: kind");
	}
	tu_put(out, tmp, len);
	free(tmp);
}

void    bomb_codec_zeros(struct tu_buf *out, int kind, int level, uint64_t usize)
{
	size_t  each = usize < ((uint64_t) 64 << 20) ? (size_t) usize : (size_t) 64 << 20;
	uint8_t *zeros = calloc(1, each ? each : 1);
	struct tu_buf one = {0};

	if (zeros == 0)
		die("calloc");
	bomb_codec(&one, kind, level, zeros, each);
	for (uint64_t done = 0; done < usize; done += each) {
		if (usize - done < each) {
			bomb_codec(out, kind, level, zeros, (size_t) (usize - done));
			break;
		}
		tu_put(out, one.p, one.len);
	}
	free(one.p);
	free(zeros);
}

/* Tar. */

static void tar_num(uint8_t *f, size_t len, uint64_t v)
{
	if (v < (uint64_t) 1 << (3 * (len - 1))) {
		char    tmp[32];

		snprintf(tmp, sizeof(tmp), "%0*llo", (int) len - 1, (unsigned long long) v);
		memcpy(f, tmp, len - 1);
		f[len - 1] = 0;
		return;
	}
	memset(f, 0, len);
	f[0] = 0x80;
	for (size_t i = len - 1; i > 0 && v; i--, v >>= 8)
		f[i] = v & 0xff;
}

void    bomb_tar_header(struct tu_buf *out, const char *name, char type,
			        uint64_t size, uint64_t realsize)
{
	uint8_t h[512];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	snprintf((char *) h, 100, "%s", name);
	tar_num(h + 100, 8, 0644);
	tar_num(h + 108, 8, 1000);
	tar_num(h + 116, 8, 1000);
	tar_num(h + 124, 12, size);
	tar_num(h + 136, 12, 1700000000);
	memset(h + 148, ' ', 8);
	h[156] = (uint8_t) type;
	if (type == 'S') {
		memcpy(h + 257, "ustar  ", 8);
		tar_num(h + 386, 12, 0);
		tar_num(h + 398, 12, size);
		tar_num(h + 483, 12, realsize);
	} else {
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
	}
	memcpy(h + 265, "user", 4);
	memcpy(h + 297, "group", 5);
	for (size_t i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *) h + 148, 8, "%06o", sum);
	h[155] = ' ';
	tu_put(out, h, 512);
}

void    bomb_tar_file(struct tu_buf *out, const char *name, const uint8_t *p, size_t n)
{
	static const uint8_t zero[512];

	bomb_tar_header(out, name, '0', n, 0);
	tu_put(out, p, n);
	tu_put(out, zero, (512 - n % 512) % 512);
}

void    bomb_tar_end(struct tu_buf *out)
{
	static const uint8_t zero[1024];

	tu_put(out, zero, sizeof(zero));
}

/* Scanning. */

void    bomb_scan(const struct conf *conf, const char *ctype, const char *fname,
		          const char *cte, const uint8_t *p, size_t n, size_t chunk,
		          struct record *rec)
{
	struct tu_buf m = {0};

	tu_message_attach(&m, ctype, fname, cte, p, n);
	tu_scan(conf, m.p, m.len, chunk, 0, rec);
	free(m.p);
}

const char *bomb_split_diff(const struct conf *conf, const uint8_t *p, size_t n,
			            unsigned nseeds)
{
	static char why[1024];
	struct record whole, other;
	const char *field;

	tu_scan(conf, p, n, 0, 0, &whole);
	tu_scan(conf, p, n, 1, 0, &other);
	if (!tu_record_eq(&whole, &other, &field)) {
		snprintf(why, sizeof(why), "byte by byte: %s differs", field);
		return (why);
	}
	for (unsigned seed = 1; seed <= nseeds; seed++) {
		tu_scan_random(conf, p, n, seed, 4096, &other);
		if (!tu_record_eq(&whole, &other, &field)) {
			snprintf(why, sizeof(why), "random chunks (seed %u): %s differs",
				 seed, field);
			return (why);
		}
	}
	return (NULL);
}

/* bomb_split_diff_attached - split invariance of an archive sent as a file */

const char *bomb_split_diff_attached(const char *ctype, const char *fname,
				             const struct tu_buf *archive, unsigned nseeds)
{
	struct tu_buf m = {0};
	const char *why;

	tu_message_attach(&m, ctype, fname, "base64", archive->p, archive->len);
	why = bomb_split_diff(0, m.p, m.len, nseeds);
	free(m.p);
	return (why);
}

/* bomb_walk - one walker fed directly, cut at the given offsets */

void    bomb_walk(const struct analyser *an, const struct conf *conf,
	              const uint8_t *p, size_t n, const size_t *cuts, size_t ncuts,
	              struct record *rec)
{
	struct msg *m = msg_new(conf ? conf : tu_conf(), 0, 0);
	struct node *root;
	void   *st = 0;
	size_t  off = 0, end;
	int     stop = 0;

	if (m == 0)
		die("msg_new");
	root = node_open(m, 0, "w", 1, 0, 0);
	if (root && (st = an->open(root)) != 0) {
		for (size_t i = 0; i <= ncuts && !stop; i++) {
			end = i < ncuts && cuts[i] < n ? cuts[i] : n;
			if (end > off)
				stop = an->feed(st, p + off, end - off);
			off = end > off ? end : off;
		}
		if (!stop)
			(void) an->finish(st);
		an->free(st);
	}
	node_free(root);
	msg_finish(m);
	*rec = *msg_record(m);
	if (msg_acct(m)->cur != msg_acct(m)->stage_cur[ACCT_MSG])
		die("walker memory held after the message");
	msg_free(m);
}

/* walk_same - records equal but for memory and time */

static int walk_same(struct record a, struct record b, const char **field)
{
	a.peak_mem = b.peak_mem = 0;
	memset(a.mem, 0, sizeof(a.mem));
	memset(b.mem, 0, sizeof(b.mem));
	return (tu_record_eq(&a, &b, field));
}

/* walk_diff - compare one split with the whole; NULL if the same */

static const char *walk_diff(const struct analyser *an, const struct conf *conf,
			             const uint8_t *p, size_t n, const size_t *cuts,
			             size_t ncuts, const struct record *whole,
			             const char *how, size_t arg)
{
	static char why[RECORD_TEXT_MAX * 2 + 128];
	struct record other;
	const char *field;

	bomb_walk(an, conf, p, n, cuts, ncuts, &other);
	if (walk_same(*whole, other, &field))
		return (NULL);
	snprintf(why, sizeof(why), "%s %zu: %s differs: whole %s", how, arg, field,
		 tu_record_str(whole));
	snprintf(why + strlen(why), sizeof(why) - strlen(why), " / split %s",
		 tu_record_str(&other));
	return (why);
}

/* bomb_walk_split_diff - one walker fed directly: any split, same record */

const char *bomb_walk_split_diff(const struct analyser *an, const struct conf *conf,
				         const uint8_t *p, size_t n, unsigned nseeds,
				         size_t every_cut_max)
{
	struct record whole;
	const char *why = 0;
	size_t *cuts, k;
	uint64_t x;

	if ((cuts = calloc(n + 1, sizeof(*cuts))) == 0)
		die("calloc");
	bomb_walk(an, conf, p, n, 0, 0, &whole);
	for (k = 0; k < n; k++)
		cuts[k] = k + 1;
	why = walk_diff(an, conf, p, n, cuts, n, &whole, "byte by byte", n);
	for (unsigned seed = 1; why == 0 && seed <= nseeds; seed++) {
		x = seed * 2654435761u + 1;
		for (k = 0; k == 0 || cuts[k - 1] < n; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			cuts[k] = (k ? cuts[k - 1] : 0) + 1 + x % 97;
		}
		why = walk_diff(an, conf, p, n, cuts, k, &whole, "random seed", seed);
	}
	for (size_t cut = 1; why == 0 && n <= every_cut_max && cut < n; cut++)
		why = walk_diff(an, conf, p, n, &cut, 1, &whole, "one cut at", cut);
	free(cuts);
	return (why);
}
