#include "postern/storage-backend.h"

#include <string.h>

extern const struct mail_backend maildir_backend;

static const struct mail_backend *const mail_backends[] = {
	&maildir_backend,
};

const struct mail_backend *mail_backend_find(const char *name)
{
	for (unsigned int i = 0;
	     i < sizeof(mail_backends) / sizeof(mail_backends[0]); i++) {
		if (strcmp(mail_backends[i]->name, name) == 0)
			return mail_backends[i];
	}
	return NULL;
}
