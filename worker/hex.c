#include <stddef.h>

#include "hex.h"

char *
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char	 digit[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digit[in[i] >> 4];
		out[2 * i + 1] = digit[in[i] & 0xf];
	}
	out[2 * n] = '\0';
	return out;
}
