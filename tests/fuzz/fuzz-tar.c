/*
 * fuzz-tar - libFuzzer harness for the tar walker alone.  See fuzz-walker.h.
 */
#include "tar.h"
#define FUZZ_ANALYSER tar_analyser
#include "fuzz-walker.h"
