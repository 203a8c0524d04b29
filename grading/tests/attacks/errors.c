/* SPDX-License-Identifier: MIT */
/* A program whose compiler output has no end in sight: every ')' of the
 * expansion is an error, reported with its macro expansion, five levels. */
#define A ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) ) )
#define B A A A A A A A A A A A A A A A A A A A A A A A A A A A A A A A A
#define C B B B B B B B B B B B B B B B B B B B B B B B B B B B B B B B B
#define D C C C C C C C C C C C C C C C C C C C C C C C C C C C C C C C C
#define E D D D D D D D D D D D D D D D D D D D D D D D D D D D D D D D D
int main(void)
{
	E E E E E E E E
	return 0;
}
