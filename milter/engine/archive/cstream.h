/*
 * NAME
 *	cstream 3h
 * SUMMARY
 *	standalone compressed streams: bzip2, xz, LZMA-alone, zstd
 * SYNOPSIS
 *	#include "cstream.h"
 * DESCRIPTION
 *	One walker for the one-member compressed formats, each decoded
 *	through the codec interface; the expanded bytes go back through
 *	the sniffer one level deeper.  See cstream.c.
 */
#ifndef DEFUSE_CSTREAM_H
#define DEFUSE_CSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

extern const struct analyser bzip2_analyser;
extern const struct analyser xz_analyser;
extern const struct analyser lzma_analyser;
extern const struct analyser zstd_analyser;

/* The format table's probes (formats.c). */
extern int cstream_probe_bzip2(const char *type, const uint8_t *win, size_t len);
extern int cstream_probe_zstd(const char *type, const uint8_t *win, size_t len);
extern int cstream_probe_lzma(const char *type, const uint8_t *win, size_t len);

/*
 * The most one compressed byte of a stream of this kind expands to: what
 * a stream that cannot be decoded is projected at (cstream.c).
 */
extern uint64_t cstream_ceiling(int codec_kind);

#endif
