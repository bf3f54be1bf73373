#include "session-id.h"
#include "log.h"

#include <sys/random.h>

void session_id_generate(char id[SESSION_ID_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
				       "nopqrstuvwxyz0123456789-_";
	unsigned char bytes[SESSION_ID_LEN];

	if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
		fatal("getrandom() failed");
	for (unsigned int i = 0; i < SESSION_ID_LEN; i++)
		id[i] = alphabet[bytes[i] & 63];
	id[SESSION_ID_LEN] = '\0';
}
