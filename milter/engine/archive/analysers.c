/*
 * NAME
 *	analysers 3
 * SUMMARY
 *	the table of archive analysers, in match order
 * SYNOPSIS
 *	#include "gzip.h"
#include "node.h"
#include "tar.h"
#include "zip.h"
 *
 *	const struct analyser *const analysers[];
 * DESCRIPTION
 *	The sniffer (node.c) offers each stream to these analysers in
 *	turn; the first whose match() accepts it gets the stream.
 */

#include <stddef.h>

#include "gzip.h"
#include "node.h"
#include "tar.h"
#include "zip.h"

const struct analyser *const analysers[] = {
	&zip_analyser,
	&gzip_analyser,
	&tar_analyser,
	NULL,
};
