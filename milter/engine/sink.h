/*
 * NAME
 *	sink 3h
 * SUMMARY
 *	the one shape of downstream output
 * SYNOPSIS
 *	#include "sink.h"
 * DESCRIPTION
 *	Every stage hands its output downstream through a sink: a
 *	function and its context.  The bytes are only valid during the
 *	call.  A non-zero return means "stop": a verdict was reached
 *	downstream, and every stage upstream returns at once without
 *	consuming more input.
 */
#ifndef DEFUSE_SINK_H
#define DEFUSE_SINK_H

#include <stddef.h>
#include <stdint.h>

typedef int (*sink_fn)(void *ctx, const uint8_t *p, size_t n);

#endif
