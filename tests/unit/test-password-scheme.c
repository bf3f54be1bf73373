#include "test-common.h"

#include "password-scheme.h"
#include "pool.h"

#include <sodium.h>
#include <string.h>

/* Reference hashes of "p@ss wörd" made with doveadm pw (Dovecot 2.3.19)
   and mkpasswd (Debian whois 5.5), so that passwd-files and /etc/shadow
   entries imported from those tools keep working. */
#define PASSWORD "p@ss wörd"

static const char *const vectors[] = {
	"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$iOV8MXaiI7HNNW/c1IWRjg$"
	"h3yve8KRMI1UFmJk6J21L7+rZWVNECsipz/s1kOgA3k",
	"{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$N38/g1+bzReiE2yKoGcEyQ$"
	"/27sO5kTqMJbNC+N7CrEADEuM7McAdoo2THLPV2jet0",
	"{SHA512-CRYPT}$6$PPGYz.IZI2urjifn$1m4oJmwDGlU7atBJgJ7p/qt2Z7WKW9X53u"
	"AGDNAM8ZtyfVAuu0njwaVlWedSzscjWvaC/8TcZPCJOwFHSOZ8o/",
	"{SHA256-CRYPT}$5$ZQS4XFKIh3dkMCpg$ZmscAm8Up1CeCEesXoQJQcOFFe0u3/uqQU"
	"V.x2073R4",
	"{BLF-CRYPT}$2y$05$kIBRJaqzVf6awQSopO7SNelJz7bweVTDrRL2DthUpIbLmKBtYZ"
	"MZu",
	"{SSHA512}k8NaI+6FFOggpnJ+itM09o5BpGDNKSzOtoIjR385M3kIBCBZQh+Wwr6mUlMC"
	"DZKlxeMxwgTUKOcpiIV9FQ95Pb3IL7g=",
	"{SCRAM-SHA-256}4096,7qzSlHADrwwXHocASqTrVg==,BM+1gWcqA+wI8JH5HzfeReiI"
	"mJs3VUyr+Dvi0nc46Q4=,e7FudvcXoXeQO1O8iwk8jwEnZvsQ0Dsc3pWR8H7vGRg=",
	"{SCRAM-SHA-1}4096,+rz4Mr9WTMHQd76PHdbkxg==,dPuqTLCP8ixtNzH3e437Rx2Tvr"
	"c=,nQquu5X92GokTtyJPZmSyhgPUc8=",
	"{PLAIN}" PASSWORD,
	"{CLEAR}" PASSWORD,
	/* mkpasswd -m yescrypt / sha512crypt / sha256crypt / bcrypt */
	"$y$j9T$HN/FxwKvlcBENpKpTutvx1$HIKXR0.JHfqObiqCsxaNAan8qZjDBa4di5Bu2X"
	"kI8L2",
	"{CRYPT}$6$kp8BAcNTQFjvDt11$mWbmZV/..SzQsEReyuaQrEfNPYvjdRBsoBtE3aW8sl"
	"iHHw6pVf2HLiT3AWkGQGvWS8KWPiaP1go4LKu1lA0Ad/",
	"$5$bK.qQD0.vHYImXAi$fQx1AB2zHvI2/AHgXQpifY/FL/1AZfZzg4WkI1rszd7",
	"{BLF-CRYPT}$2b$05$odPZiwr8mttd414cx4mLT.5UK9CaYGpHOZFS8NviXirPR2WLEx"
	"9BO",
};

static void test_vectors(void **state)
{
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(vectors); i++) {
		assert_int_equal(
			password_verify(PASSWORD, "u", vectors[i], &error), 1);
		assert_int_equal(
			password_verify("p@ss word", "u", vectors[i], &error),
			0);
		assert_int_equal(password_verify("", "u", vectors[i], &error),
				 0);
	}
}

static void test_generate_roundtrip(void **state)
{
	const struct password_scheme *const *schemes = password_schemes_list();
	struct pool *pool = pool_create("test", 0);
	const char *stored, *error;

	for (unsigned int i = 0; schemes[i] != NULL; i++) {
		assert_int_equal(password_generate(pool, schemes[i]->name,
						   "s3cr3t", "alice", &stored,
						   &error),
				 0);
		assert_int_equal(
			password_verify("s3cr3t", "alice", stored, &error), 1);
		assert_int_equal(
			password_verify("s3cr3T", "alice", stored, &error), 0);
	}
	/* Dovecot-readable names */
	assert_int_equal(
		password_generate(pool, "yescrypt", "x", "", &stored, &error),
		0);
	assert_true(strncmp(stored, "{CRYPT}$y$", 10) == 0);
	assert_int_equal(
		password_generate(pool, "ARGON2ID", "x", "", &stored, &error),
		0);
	assert_true(strncmp(stored, "{ARGON2ID}$argon2id$", 20) == 0);
	assert_int_equal(
		password_generate(pool, "NOPE", "x", "", &stored, &error), -1);
	pool_destroy(&pool);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"{NOSUCH}abc",
		"{SHA512-CRYPT}$5$ZQS4XFKIh3dkMCpg$"
		"ZmscAm8Up1CeCEesXoQJQcOFFe0u3",
		"{SHA512-CRYPT}garbage",
		"{ARGON2ID}$argon2id$v=19$m=65536",
		"{ARGON2ID}nothing",
		"{SSHA512}!!!",
		"{SSHA512}c2hvcnQ=",
		"{SCRAM-SHA-256}4096,abc",
		"{SCRAM-SHA-256}0,7qzSlHADrwwXHocASqTrVg==,BM+1gWcqA+"
		"wI8JH5HzfeRe"
		"iImJs3VUyr+Dvi0nc46Q4=,"
		"e7FudvcXoXeQO1O8iwk8jwEnZvsQ0Dsc3pWR8H7vG"
		"Rg=",
		"{SCRAM-SHA-256}4096,7qzSlHADrwwXHocASqTrVg==,AAAA,AAAA",
		"{SCRAM-SHA-1}x,y,z,w",
		"*LK*",
		"{"
		"A-very-long-scheme-name-that-does-not-fit-in-the-buffer-at-"
		"all-0123456789}x",
	};
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++) {
		error = NULL;
		assert_int_equal(password_verify("x", "u", bad[i], &error), -1);
		assert_non_null(error);
	}
}

static void test_split(void **state)
{
	struct pool *pool = pool_create("test", 0);
	const char *scheme, *data;

	password_split(pool, "{sha512-crypt}$6$abc", &scheme, &data);
	assert_string_equal(scheme, "SHA512-CRYPT");
	assert_string_equal(data, "$6$abc");
	password_split(pool, "$y$abc", &scheme, &data);
	assert_string_equal(scheme, "CRYPT");
	assert_string_equal(data, "$y$abc");
	password_split(pool, "{PLAIN}", &scheme, &data);
	assert_string_equal(scheme, "PLAIN");
	assert_string_equal(data, "");
	pool_destroy(&pool);
}

static void test_mem_equals(void **state)
{
	assert_true(password_mem_equals("abc", 3, "abc", 3));
	assert_false(password_mem_equals("abc", 3, "abd", 3));
	assert_false(password_mem_equals("abc", 3, "abcd", 4));
	assert_true(password_mem_equals("", 0, "", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_generate_roundtrip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_mem_equals),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
