/*
 * name - file names kept in a fixed buffer, extension included (name.h)
 */

#include <string.h>

#include "name.h"

/* name_put - append; once full, the head stays and the tail rolls */

size_t  name_put(char *buf, size_t cap, size_t len, const void *src, size_t n)
{
	const char *p = src;
	size_t  room;
	char   *tail;

	if (cap == 0)
		return (0);
	room = len + 1 < cap ? cap - 1 - len : 0;
	if (room > n)
		room = n;
	if (room > 0) {
		memcpy(buf + len, p, room);
		len += room;
		p += room;		/* p may be NULL when n is 0 */
		n -= room;
	}
	if (n > 0 && cap > 2 * NAME_TAIL) {
		tail = buf + cap - 1 - NAME_TAIL;
		if (n >= NAME_TAIL) {
			memcpy(tail, p + n - NAME_TAIL, NAME_TAIL);
		} else {
			memmove(tail, tail + n, NAME_TAIL - n);
			memcpy(tail + NAME_TAIL - n, p, n);
		}
	}
	buf[len] = 0;
	return (len);
}
