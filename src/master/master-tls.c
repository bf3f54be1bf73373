#include "master.h"
#include "buffer.h"
#include "log.h"
#include "tls.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Children read the PEM text from the memfd they inherited, at start and
   on SIGHUP: the master rewrites it before it passes the signal on, so a
   child never sees a half-written key. */
static int master_tls_write(struct master *master, const buffer_t *pem)
{
	if (master->tls_fd < 0) {
		master->tls_fd = memfd_create("postern-tls", MFD_CLOEXEC);
		if (master->tls_fd < 0) {
			log_error("memfd_create() failed: %m");
			return -1;
		}
	}
	if (ftruncate(master->tls_fd, 0) < 0 ||
	    pwrite(master->tls_fd, pem->data, pem->used, 0) !=
		    (ssize_t)pem->used) {
		log_error("Writing the TLS memfd failed: %m");
		return -1;
	}
	return 0;
}

int master_tls_load(struct master *master)
{
	buffer_t pem;
	const char *error;
	int ret;

	buffer_init(&pem, 16 * 1024 * 1024);
	ret = tls_pem_bundle_read(&master->config->tls, &pem, &error);
	if (ret < 0)
		log_error("%s", error);
	else
		ret = master_tls_write(master, &pem);
	/* the key was in this buffer */
	if (pem.data != NULL)
		explicit_bzero(pem.data, pem.alloc);
	buffer_deinit(&pem);
	return ret;
}
