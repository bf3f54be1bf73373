/* Message bytes as a read-only mapping of their CRLF form. A file stored
   with CRLF (everything we write) is mapped as it is; one with bare LFs
   (Dovecot's maildirs, procmail) is converted into an anonymous memory
   file once per access, so protocols always see CRLF bytes and
   RFC822.SIZE is the CRLF size. Whether a message is pure CRLF, and its
   CRLF size, are remembered in the index. */

#include "mail-glue.h"
#include "mail-private.h"
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void storage_hash_guid(const void *data, size_t size, unsigned char guid[16])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(data, size, digest, &len, EVP_sha256(), NULL) != 1 ||
	    len < 16)
		panic("EVP_Digest(sha256) failed");
	memcpy(guid, digest, 16);
}

/* Maps size bytes of fd at offset. */
static int mail_data_map(int fd, off_t offset, size_t size,
			 struct mail_data *data_r)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t aligned = offset - offset % page;
	size_t map_size = size + (size_t)(offset - aligned);
	void *map;

	memset(data_r, 0, sizeof(*data_r));
	if (size == 0) {
		data_r->data = (const unsigned char *)"";
		return 0;
	}
	map = mmap(NULL, map_size, PROT_READ, MAP_PRIVATE, fd, aligned);
	if (map == MAP_FAILED)
		return -1;
	data_r->map_ = map;
	data_r->map_size_ = map_size;
	data_r->data = (const unsigned char *)map + (offset - aligned);
	data_r->size = size;
	return 0;
}

void mail_data_release(struct mail_data *data)
{
	if (data->map_ != NULL)
		munmap(data->map_, data->map_size_);
	memset(data, 0, sizeof(*data));
}

/* Writes raw's bytes with CRLF line ends into dest, 64 KiB at a time. */
static void mail_data_convert(const struct mail_data *raw, unsigned char *dest)
{
	const size_t chunk = 64 * 1024;
	buffer_t *buf = buffer_create(chunk * 2, chunk * 2);
	struct mail_glue_crlf crlf;
	size_t pos = 0;

	mail_glue_crlf_init(&crlf);
	for (size_t off = 0; off < raw->size; off += chunk) {
		size_t len = raw->size - off < chunk ? raw->size - off : chunk;

		buffer_clear(buf);
		if (mail_glue_crlf_convert(&crlf, raw->data + off, len, buf) <
		    0)
			i_unreached();
		memcpy(dest + pos, buf->data, buf->used);
		pos += buf->used;
	}
	buffer_free(&buf);
}

/* A CRLF copy of raw in an anonymous memory file (page cache, not the
   heap: a 50 MB message doesn't grow the worker's heap). */
static int mail_data_normalize(const struct mail_data *raw, uint64_t vsize,
			       struct mail_data *data_r)
{
	int fd = memfd_create("postern-crlf", MFD_CLOEXEC);
	void *map;
	int ret = -1;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)vsize) == 0) {
		map = mmap(NULL, vsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		if (map != MAP_FAILED) {
			mail_data_convert(raw, map);
			mprotect(map, vsize, PROT_READ);
			memset(data_r, 0, sizeof(*data_r));
			data_r->map_ = map;
			data_r->map_size_ = vsize;
			data_r->data = map;
			data_r->size = vsize;
			ret = 0;
		}
	}
	close(fd);
	return ret;
}

/* Remembers the CRLF size and layout of a message. */
static void mail_data_store_sizes(struct mailbox *box, struct index_record *rec,
				  uint64_t psize, uint64_t vsize, bool crlf)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_SET_SIZES);
	uint32_t bits = crlf ? INDEX_FLAG_CRLF : INDEX_FLAG_HAS_LF;

	rec->physical_size = psize;
	rec->virtual_size = vsize;
	rec->flags =
		(rec->flags & ~(INDEX_FLAG_CRLF | INDEX_FLAG_HAS_LF)) | bits;
	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, rec->uid);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)psize);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)vsize);
	sqlite3_bind_int64(stmt, 5, bits);
	(void)index_db_exec_stmt(db, stmt);
}

/* Opens the backend's byte range, resyncing once if the file moved (its
   flags were changed by another process). Returns 1, 0 gone, -1. */
static int mail_data_open_stream(struct mailbox *box, struct index_record *rec,
				 struct pool *pool,
				 struct backend_stream *stream_r)
{
	const struct mail_backend *backend = box->user->storage.backend;
	int ret;

	ret = backend->open_message(&box->ibox->b, rec, stream_r);
	if (ret != 0)
		return ret;
	if (index_mailbox_sync_files(box->ibox, BACKEND_SYNC_FLAG_FORCE) < 0)
		return -1;
	ret = index_message_get(box->ibox, rec->uid, pool, rec);
	if (ret > 0)
		ret = backend->open_message(&box->ibox->b, rec, stream_r);
	return ret;
}

int mail_data_open(struct mailbox *box, struct index_record *rec,
		   struct pool *pool, struct mail_data *data_r)
{
	struct backend_stream stream;
	struct mail_data raw;
	uint64_t bare_lf;
	int ret;

	ret = mail_data_open_stream(box, rec, pool, &stream);
	if (ret <= 0) {
		if (ret == 0)
			storage_error_set(MAIL_ERROR_EXPUNGED,
					  "Message was expunged");
		return ret;
	}
	ret = mail_data_map(stream.fd, stream.offset, stream.size, &raw);
	close(stream.fd);
	if (ret < 0) {
		backend_set_critical(&box->ibox->b, "mmap() failed: %m");
		return -1;
	}
	if ((rec->flags & INDEX_FLAG_CRLF) != 0 ||
	    (box->user->storage.backend->caps & MAIL_BACKEND_CAP_MAYBE_LF) ==
		    0) {
		*data_r = raw;
		return 1;
	}
	bare_lf = mail_glue_crlf_size(raw.data, raw.size) - raw.size;
	if ((rec->flags & (INDEX_FLAG_CRLF | INDEX_FLAG_HAS_LF)) == 0 ||
	    rec->virtual_size != raw.size + bare_lf)
		mail_data_store_sizes(box, rec, raw.size, raw.size + bare_lf,
				      bare_lf == 0);
	if (bare_lf == 0) {
		*data_r = raw;
		return 1;
	}
	ret = mail_data_normalize(&raw, raw.size + bare_lf, data_r);
	mail_data_release(&raw);
	if (ret < 0) {
		backend_set_critical(&box->ibox->b, "memfd for CRLF: %m");
		return -1;
	}
	return 1;
}

int mail_fill_sizes(struct mailbox *box)
{
	struct index_db *db = box->user->db;
	struct pool *pool = pool_create("fill sizes", 8192);
	ARRAY(struct index_record) recs = ARRAY_INIT;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_ALL);
	int rc, ret = 0;

	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (sqlite3_column_type(stmt, 7) == SQLITE_NULL)
			index_record_from_row(stmt, pool,
					      array_push_new(&recs));
	}
	sqlite3_reset(stmt);
	for (size_t i = 0; i < recs.count; i++) {
		struct mail_data data;

		if (mail_data_open(box, &recs.v[i], pool, &data) < 0) {
			ret = -1;
			break;
		}
		mail_data_release(&data);
	}
	array_free(&recs);
	pool_destroy(&pool);
	return ret;
}
