#include "test-common.h"

#include "imap-envelope.h"
#include "pool.h"
#include "rfc822-address.h"

#include <string.h>

/* Each address list, as ENVELOPE would show it. */
static const struct {
	const char *input;
	const char *output;
} address_cases[] = {
	{ "", "NIL" },
	{ "  ,  , ", "NIL" },
	{ "user@example.com", "((NIL NIL \"user\" \"example.com\"))" },
	{ "Ann Lee <ann@example.org>",
	  "((\"Ann Lee\" NIL \"ann\" \"example.org\"))" },
	{ "\"Doe, John\" <john@example.com> (Sales)",
	  "((\"Doe, John\" NIL \"john\" \"example.com\"))" },
	/* legacy "address (Name)" */
	{ "john@example.com (John Doe)",
	  "((\"John Doe\" NIL \"john\" \"example.com\"))" },
	{ "(reply here) jane@example.com",
	  "((NIL NIL \"jane\" \"example.com\"))" },
	/* obsolete CFWS inside the addr-spec */
	{ "Mary <mary (home) @ example . net>",
	  "((\"Mary\" NIL \"mary\" \"example.net\"))" },
	/* obs-route */
	{ "<@r1.example,@r2.example:jane@example.net>",
	  "((NIL \"@r1.example,@r2.example\" \"jane\" \"example.net\"))" },
	{ "\"Lee \\\"the boss\\\" Bob\" <bob@example.net>",
	  "((\"Lee \\\"the boss\\\" Bob\" NIL \"bob\" \"example.net\"))" },
	{ "a@b, c@d", "((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\"))" },
	/* null members (RFC 5322 §4.4) */
	{ ", , a@b,,", "((NIL NIL \"a\" \"b\"))" },
	/* groups */
	{ "undisclosed-recipients:;",
	  "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))" },
	{ "Team: a@b, \"X, Y\" <c@d>;, e@f",
	  "((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"b\")"
	  "(\"X, Y\" NIL \"c\" \"d\")(NIL NIL NIL NIL)(NIL NIL \"e\" \"f\"))" },
	{ "Empty: (nobody);", "((NIL NIL \"Empty\" NIL)(NIL NIL NIL NIL))" },
	{ "Open: a@b", "((NIL NIL \"Open\" NIL)(NIL NIL \"a\" \"b\")"
		       "(NIL NIL NIL NIL))" },
	/* placeholders */
	{ "postmaster", "((NIL NIL \"postmaster\" \"MISSING_DOMAIN\"))" },
	{ "\"Ann\" <ann>", "((\"Ann\" NIL \"ann\" \"MISSING_DOMAIN\"))" },
	{ "<>", "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))" },
	{ "@nolocal.example",
	  "((NIL NIL \"MISSING_MAILBOX\" \"nolocal.example\"))" },
	{ "local@", "((NIL NIL \"local\" \"MISSING_DOMAIN\"))" },
	/* a broken element doesn't hide the next one */
	{ "<<double@example.com>>, ok@example.com",
	  "((NIL NIL \"MISSING_MAILBOX\" \"SYNTAX_ERROR\")"
	  "(NIL NIL \"ok\" \"example.com\"))" },
	{ "a@b@c, d@e", "((NIL NIL \"MISSING_MAILBOX\" \"SYNTAX_ERROR\")"
			"(NIL NIL \"d\" \"e\"))" },
	{ "\"Unbalanced <u@example.com>",
	  "((NIL NIL \"MISSING_MAILBOX\" \"SYNTAX_ERROR\"))" },
	{ "John Smith", "((NIL NIL \"MISSING_MAILBOX\" \"SYNTAX_ERROR\"))" },
	/* domain literal, quoted local part, 8-bit (RFC 6532) */
	{ "x@[192.0.2.1]", "((NIL NIL \"x\" \"[192.0.2.1]\"))" },
	{ "\"john doe\"@example.com",
	  "((NIL NIL \"john doe\" \"example.com\"))" },
	{ "J\xc3\xbcrgen <j@b\xc3\xbc\x63her.example>",
	  "(({7}\r\nJ\xc3\xbcrgen NIL \"j\" "
	  "{15}\r\nb\xc3\xbc\x63her.example))" },
	/* folded */
	{ "Ann\r\n Lee <ann@example.org>,\r\n\tb@c",
	  "((\"Ann Lee\" NIL \"ann\" \"example.org\")(NIL NIL \"b\" \"c\"))" },
	/* unterminated comment */
	{ "a@b (oops", "((\"oops\" NIL \"a\" \"b\"))" },
};

static void test_address_lists(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *str = str_new(256, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(address_cases); i++) {
		struct rfc822_address *addr =
			rfc822_address_parse(pool, address_cases[i].input,
					     strlen(address_cases[i].input));

		str_truncate(str, 0);
		imap_envelope_write_addresses(str, addr, 0);
		if (strcmp(str_c(str), address_cases[i].output) != 0)
			fail_msg("input %s: got %s", address_cases[i].input,
				 str_c(str));
	}
	str_free(&str);
	pool_destroy(&pool);
}

static void test_address_limits(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *input = str_new(1024, SIZE_MAX);
	unsigned int count = 0;

	for (unsigned int i = 0; i < RFC822_ADDRESS_MAX_COUNT + 100; i++)
		str_append(input, "a@b,");
	for (struct rfc822_address *addr =
		     rfc822_address_parse(pool, input->data, input->used);
	     addr != NULL; addr = addr->next)
		count++;
	assert_int_equal(count, RFC822_ADDRESS_MAX_COUNT);
	/* deeply nested comments don't recurse */
	str_truncate(input, 0);
	for (unsigned int i = 0; i < 100000; i++)
		str_append_c(input, '(');
	assert_null(rfc822_address_parse(pool, input->data, input->used));
	str_free(&input);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_lists),
		cmocka_unit_test(test_address_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
