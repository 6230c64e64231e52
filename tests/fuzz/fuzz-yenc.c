/*
 * fuzz-yenc - libFuzzer harness for the yEnc scanner alone: fed whole
 * and in chunks, the same events.  See fuzz-text.h.
 */
#include "yenc.h"
#define FUZZ_T		struct yenc
#define FUZZ_EVENTS	struct yenc_events
#define FUZZ_INIT	yenc_init
#define FUZZ_FEED	yenc_feed
#define FUZZ_FINISH	yenc_finish
#include "fuzz-text.h"
