/*
 * fuzz-zip - libFuzzer harness for the zip walker alone.  See fuzz-walker.h.
 */
#include "zip.h"
#define FUZZ_ANALYSER zip_analyser
#include "fuzz-walker.h"
