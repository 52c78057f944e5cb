/* token: the shape of a feed token. */
#include "token.h"

bool
token_valid(const char *s, size_t len)
{
	size_t	i;

	if (len != TOKEN_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}
