#include "imap-arg.h"
#include "log.h"
#include "str.h"
#include "strfuncs.h"

bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r)
{
	if (arg->type != IMAP_ARG_ATOM)
		return false;
	*str_r = arg->u.str;
	return true;
}

bool imap_arg_get_quoted(const struct imap_arg *arg, const char **str_r)
{
	if (arg->type != IMAP_ARG_STRING)
		return false;
	*str_r = arg->u.str;
	return true;
}

bool imap_arg_get_string(const struct imap_arg *arg, const char **str_r)
{
	if (arg->type != IMAP_ARG_STRING && arg->type != IMAP_ARG_LITERAL)
		return false;
	*str_r = arg->u.str;
	return true;
}

bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r)
{
	if (arg->type == IMAP_ARG_ATOM || arg->type == IMAP_ARG_NIL) {
		*str_r = arg->u.str;
		return true;
	}
	return imap_arg_get_string(arg, str_r);
}

bool imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r)
{
	if (arg->type == IMAP_ARG_NIL) {
		*str_r = NULL;
		return true;
	}
	return imap_arg_get_string(arg, str_r);
}

bool imap_arg_get_list(const struct imap_arg *arg,
		       const struct imap_arg **list_r, unsigned int *count_r)
{
	if (arg->type != IMAP_ARG_LIST)
		return false;
	*list_r = arg->u.list.args;
	if (count_r != NULL)
		*count_r = arg->u.list.count;
	return true;
}

bool imap_arg_atom_equals(const struct imap_arg *arg, const char *str)
{
	return arg->type == IMAP_ARG_ATOM && str_eq_icase(arg->u.str, str);
}

unsigned int imap_args_count(const struct imap_arg *args)
{
	unsigned int count = 0;

	while (!IMAP_ARG_IS_EOL(&args[count]))
		count++;
	return count;
}

static void imap_arg_write_quoted(string_t *dest, const struct imap_arg *arg)
{
	str_append_c(dest, '"');
	for (size_t i = 0; i < arg->str_len; i++) {
		if (arg->u.str[i] == '"' || arg->u.str[i] == '\\')
			str_append_c(dest, '\\');
		str_append_c(dest, arg->u.str[i]);
	}
	str_append_c(dest, '"');
}

static void imap_arg_write(string_t *dest, const struct imap_arg *arg)
{
	switch (arg->type) {
	case IMAP_ARG_NIL:
	case IMAP_ARG_ATOM:
		str_append_n(dest, arg->u.str, arg->str_len);
		break;
	case IMAP_ARG_STRING:
		imap_arg_write_quoted(dest, arg);
		break;
	case IMAP_ARG_LITERAL:
		str_printfa(dest, "%s{%zu}\r\n", arg->literal8 ? "~" : "",
			    arg->str_len);
		str_append_n(dest, arg->u.str, arg->str_len);
		break;
	case IMAP_ARG_LIST:
		str_append_c(dest, '(');
		imap_args_write(dest, arg->u.list.args);
		str_append_c(dest, ')');
		break;
	case IMAP_ARG_EOL:
		i_unreached();
	}
}

void imap_args_write(string_t *dest, const struct imap_arg *args)
{
	for (unsigned int i = 0; !IMAP_ARG_IS_EOL(&args[i]); i++) {
		if (i > 0)
			str_append_c(dest, ' ');
		imap_arg_write(dest, &args[i]);
	}
}
