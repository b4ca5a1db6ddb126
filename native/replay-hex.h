/*
 * Hex text for the replay programs (native/vu-replay.c and the kernel stage's
 * tests/kernel/vfio-replay.c): scripts carry request bytes as hex, transcripts
 * print the bytes that came back as hex. One parser and one printer for both.
 */
#ifndef VFIO_ABI_REPLAY_HEX_H
#define VFIO_ABI_REPLAY_HEX_H

#include <stddef.h>
#include <stdio.h>

/* parse_hex errors */
#define HEX_BAD_DIGIT  (-1)
#define HEX_ODD_DIGITS (-2)
#define HEX_TOO_LONG   (-3)

static inline int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse a hex byte string into dst (capacity cap). Separators '_', ':' and '.'
 * are ignored. Returns the number of bytes, or HEX_BAD_DIGIT, HEX_ODD_DIGITS or
 * HEX_TOO_LONG (more than cap bytes).
 */
static inline long parse_hex(const char *s, unsigned char *dst, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		if (*s == '_' || *s == ':' || *s == '.')
			continue;
		int v = hexval((unsigned char)*s);
		if (v < 0)
			return HEX_BAD_DIGIT;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return HEX_TOO_LONG;
		dst[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi >= 0 ? HEX_ODD_DIGITS : (long)n;
}

/* Print n bytes as lowercase hex. */
static inline void put_hex(FILE *f, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		fputc(digits[p[i] >> 4], f);
		fputc(digits[p[i] & 15], f);
	}
}

#endif
