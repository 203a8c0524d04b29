/* SPDX-License-Identifier: MIT */
/* A source that includes itself, twice at every level: the preprocessor
 * has 2^200 files to read before it gives up. */
#include __FILE__
#include __FILE__
int main(void) { return 0; }
