#include "maildir-private.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* The flag letters of the maildir spec (http://cr.yp.to/proto/maildir.html)
   that IMAP has; 'P' (passed) has no IMAP flag and is kept as extra. */
static const struct {
	char letter;
	enum mail_flags flag;
} maildir_flag_letters[] = {
	{ 'D', MAIL_DRAFT }, { 'F', MAIL_FLAGGED }, { 'R', MAIL_ANSWERED },
	{ 'S', MAIL_SEEN },  { 'T', MAIL_DELETED },
};

static enum mail_flags maildir_flag_from_letter(char c)
{
	for (unsigned int i = 0; i < N_ELEMENTS(maildir_flag_letters); i++) {
		if (maildir_flag_letters[i].letter == c)
			return maildir_flag_letters[i].flag;
	}
	return 0;
}

/* Parses ",X=<digits>" fields of the base. */
static void maildir_filename_parse_fields(struct maildir_filename *fn)
{
	const char *p = memchr(fn->base, ',', fn->base_len);
	const char *end = fn->base + fn->base_len;

	while (p != NULL && p < end) {
		const char *field = p + 1;
		const char *next = memchr(field, ',', (size_t)(end - field));
		const char *fend = next != NULL ? next : end;
		uint64_t num;

		if (fend - field > 2 && field[1] == '=' &&
		    str_n_to_uint64(field + 2, (size_t)(fend - field - 2),
				    &num) == 0) {
			if (field[0] == 'S')
				fn->size = num;
			else if (field[0] == 'W')
				fn->vsize = num;
			else if (field[0] == 'U' && num <= UINT32_MAX - 1)
				fn->uid = (uint32_t)num;
		}
		p = next;
	}
}

/* Parses the info part after ":2,". */
static int maildir_filename_parse_info(const char *info,
				       struct maildir_filename *fn)
{
	size_t extra_len = 0;
	const char *p;

	for (p = info; *p != '\0' && *p != ','; p++) {
		enum mail_flags flag = maildir_flag_from_letter(*p);

		if (flag != 0)
			fn->flags |= flag;
		else if (*p >= 'a' && *p <= 'z')
			fn->keyword_letters |= 1U << (*p - 'a');
		else if (extra_len + 1 < sizeof(fn->extra))
			fn->extra[extra_len++] = *p;
		else
			return -1;
	}
	if (*p == ',') {
		size_t len = strlen(p);

		if (extra_len + len >= sizeof(fn->extra))
			return -1;
		memcpy(fn->extra + extra_len, p, len);
		extra_len += len;
	}
	fn->extra[extra_len] = '\0';
	return 0;
}

int maildir_filename_parse(const char *name, struct maildir_filename *fn_r)
{
	const char *info = strstr(name, ":2,");

	memset(fn_r, 0, sizeof(*fn_r));
	if (name[0] == '\0' || name[0] == '.')
		return -1;
	fn_r->base = name;
	if (info != NULL) {
		fn_r->base_len = (size_t)(info - name);
		fn_r->has_info = true;
		if (maildir_filename_parse_info(info + 3, fn_r) < 0)
			return -1;
	} else {
		/* a ':' without "2," is an unknown info version: keep the
		   whole name as the base */
		fn_r->base_len = strlen(name);
	}
	if (fn_r->base_len == 0)
		return -1;
	maildir_filename_parse_fields(fn_r);
	return 0;
}

const char *maildir_filename_base(struct pool *pool, const char *name)
{
	const char *info = strstr(name, ":2,");

	if (info == NULL)
		return pool_strdup(pool, name);
	return pool_strndup(pool, name, (size_t)(info - name));
}

const char *maildir_filename_build(struct pool *pool, const char *base,
				   enum mail_flags flags, uint64_t keywords,
				   const char *extra, bool in_new)
{
	bool letters[128] = { false };
	char info[128];
	size_t len = 0;
	const char *rest = "";

	if (in_new)
		return pool_strdup(pool, base);
	for (unsigned int i = 0; i < N_ELEMENTS(maildir_flag_letters); i++) {
		if ((flags & maildir_flag_letters[i].flag) != 0)
			letters[(unsigned char)maildir_flag_letters[i].letter] =
				true;
	}
	for (unsigned int i = 0; i < MAILDIR_MAX_KEYWORD_LETTERS; i++) {
		if ((keywords & (1ULL << i)) != 0)
			letters['a' + i] = true;
	}
	for (const char *p = extra == NULL ? "" : extra; *p != '\0'; p++) {
		if (*p == ',') {
			rest = p;
			break;
		}
		if ((unsigned char)*p < 128)
			letters[(unsigned char)*p] = true;
	}
	/* the spec wants the letters in ASCII order */
	for (unsigned int c = 33; c < 127; c++) {
		if (letters[c] && c != ',')
			info[len++] = (char)c;
	}
	info[len] = '\0';
	return pool_printf(pool, "%s:2,%s%s", base, info, rest);
}

static char maildir_hostname[128];
static pthread_once_t maildir_hostname_once = PTHREAD_ONCE_INIT;

/* The host name with the spec's escapes for '/' and ':' (and ',', which
   would start a field). */
static void maildir_hostname_init(void)
{
	string_t *str =
		str_new(sizeof(maildir_hostname), sizeof(maildir_hostname) - 1);
	char raw[64];

	if (gethostname(raw, sizeof(raw)) < 0)
		str_copy(raw, "localhost", sizeof(raw));
	raw[sizeof(raw) - 1] = '\0';
	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == '/')
			str_append(str, "\\057");
		else if (*p == ':')
			str_append(str, "\\072");
		else if (*p == ',')
			str_append(str, "\\054");
		else
			str_append_c(str, *p);
	}
	str_copy(maildir_hostname, str_c(str), sizeof(maildir_hostname));
	str_free(&str);
}

const char *maildir_filename_unique(struct pool *pool)
{
	static atomic_uint counter;
	unsigned int n = atomic_fetch_add(&counter, 1);
	struct timeval tv;

	pthread_once(&maildir_hostname_once, maildir_hostname_init);
	gettimeofday(&tv, NULL);
	return pool_printf(pool, "%ld.M%ldP%ldQ%u.%s", (long)tv.tv_sec,
			   (long)tv.tv_usec, (long)getpid(), n,
			   maildir_hostname);
}

/* Copies base into str without the given fields (",S=", ...). */
static void maildir_filename_strip_fields(string_t *str, const char *base,
					  const char *fields)
{
	const char *p = base;

	while (*p != '\0') {
		const char *next = strchr(p + 1, ',');
		size_t len = next != NULL ? (size_t)(next - p) : strlen(p);

		if (p != base && p[0] == ',' && len > 2 && p[2] == '=' &&
		    strchr(fields, p[1]) != NULL) {
			/* drop it */
		} else {
			str_append_n(str, p, len);
		}
		p += len;
	}
}

const char *maildir_filename_set_fields(struct pool *pool, const char *base,
					uint64_t size, uint64_t vsize,
					uint32_t uid)
{
	string_t *str = str_new(strlen(base) + 64, SIZE_MAX);
	const char *result;

	maildir_filename_strip_fields(str, base, "SWU");
	str_printfa(str, ",S=%llu,W=%llu", (unsigned long long)size,
		    (unsigned long long)vsize);
	if (uid != 0)
		str_printfa(str, ",U=%u", uid);
	result = pool_strdup(pool, str_c(str));
	str_free(&str);
	return result;
}

const char *maildir_filename_set_uid(struct pool *pool, const char *base,
				     uint32_t uid)
{
	string_t *str = str_new(strlen(base) + 16, SIZE_MAX);
	const char *result;

	maildir_filename_strip_fields(str, base, "U");
	str_printfa(str, ",U=%u", uid);
	result = pool_strdup(pool, str_c(str));
	str_free(&str);
	return result;
}

size_t maildir_filename_guid_part(const char *base, char *dest,
				  size_t dest_size)
{
	string_t *str = str_new(strlen(base) + 1, SIZE_MAX);
	size_t len;

	maildir_filename_strip_fields(str, base, "U");
	len = str_len(str);
	str_copy(dest, str_c(str), dest_size);
	str_free(&str);
	return len;
}
