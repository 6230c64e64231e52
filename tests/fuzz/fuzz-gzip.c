/*
 * fuzz-gzip - libFuzzer harness for the gzip walker alone.  See fuzz-walker.h.
 */
#include "gzip.h"
#define FUZZ_ANALYSER gzip_analyser
#include "fuzz-walker.h"
