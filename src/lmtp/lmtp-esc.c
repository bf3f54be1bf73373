#include "lmtp-esc.h"
#include "log.h"

void lmtp_esc_append(string_t *str, unsigned int reply_code, enum lmtp_esc esc)
{
	unsigned int class = reply_code / 100;

	i_assert(class >= 2 && class <= 5 && class != 3);
	i_assert((unsigned int)esc < 100);
	str_printfa(str, "%u %u.%u.%u ", reply_code, class,
		    (unsigned int)esc / 10, (unsigned int)esc % 10);
}
