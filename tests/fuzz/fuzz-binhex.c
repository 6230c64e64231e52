/*
 * fuzz-binhex - libFuzzer harness for the BinHex 4.0 scanner alone: fed
 * whole and in chunks, the same events.  See fuzz-text.h.
 */
#include "binhex.h"
#define FUZZ_T		struct binhex
#define FUZZ_EVENTS	struct binhex_events
#define FUZZ_INIT	binhex_init
#define FUZZ_FEED	binhex_feed
#define FUZZ_FINISH	binhex_finish
#include "fuzz-text.h"
