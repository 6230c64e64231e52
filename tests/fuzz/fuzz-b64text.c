/*
 * fuzz-b64text - libFuzzer harness for the scanner of base64 blocks in
 * text alone: fed whole and in chunks, the same events.  See fuzz-text.h.
 */
#include "b64text.h"
#define FUZZ_T		struct b64text
#define FUZZ_EVENTS	struct b64text_events
#define FUZZ_INIT	b64text_init
#define FUZZ_FEED	b64text_feed
#define FUZZ_FINISH	b64text_finish
#include "fuzz-text.h"
