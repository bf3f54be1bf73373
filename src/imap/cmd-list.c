#include "imap-client.h"
#include "imap-commands.h"
#include "imap-mailbox-name.h"
#include "imap-status.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

/* LIST-EXTENDED (RFC 5258) selection and return options. */
enum imap_list_opts {
	IMAP_LIST_SEL_SUBSCRIBED = 0x01,
	IMAP_LIST_SEL_SPECIAL_USE = 0x02,
	IMAP_LIST_SEL_RECURSIVEMATCH = 0x04,
	IMAP_LIST_RET_SUBSCRIBED = 0x10,
	IMAP_LIST_RET_CHILDREN = 0x20,
	IMAP_LIST_RET_SPECIAL_USE = 0x40,
	IMAP_LIST_RET_STATUS = 0x80,
	IMAP_LIST_LSUB = 0x100,
};

struct imap_list_ctx {
	enum imap_list_opts opts;
	const char **patterns;
	unsigned int n_patterns;
	enum mailbox_status_items status_items;
	string_t *out;
	const char *error;
};

static const struct {
	const char *name;
	enum imap_list_opts opt;
} imap_list_sel_opts[] = {
	{ "SUBSCRIBED", IMAP_LIST_SEL_SUBSCRIBED },
	{ "SPECIAL-USE", IMAP_LIST_SEL_SPECIAL_USE },
	{ "RECURSIVEMATCH", IMAP_LIST_SEL_RECURSIVEMATCH },
	{ "REMOTE", 0 },
}, imap_list_ret_opts[] = {
	{ "SUBSCRIBED", IMAP_LIST_RET_SUBSCRIBED },
	{ "CHILDREN", IMAP_LIST_RET_CHILDREN },
	{ "SPECIAL-USE", IMAP_LIST_RET_SPECIAL_USE },
};

static bool imap_list_opt_find(const char *name, bool selection,
			       enum imap_list_opts *opt_r)
{
	size_t count = selection ? N_ELEMENTS(imap_list_sel_opts)
				 : N_ELEMENTS(imap_list_ret_opts);

	for (size_t i = 0; i < count; i++) {
		const char *opt_name = selection ? imap_list_sel_opts[i].name
						 : imap_list_ret_opts[i].name;

		if (str_eq_icase(name, opt_name)) {
			*opt_r = selection ? imap_list_sel_opts[i].opt
					   : imap_list_ret_opts[i].opt;
			return true;
		}
	}
	return false;
}

static int imap_list_parse_opts(struct imap_list_ctx *ctx,
				const struct imap_arg *list, bool selection)
{
	const struct imap_arg *status_list;
	enum imap_list_opts opt;
	const char *name;

	for (unsigned int i = 0; !IMAP_ARG_IS_EOL(&list[i]); i++) {
		if (!imap_arg_get_atom(&list[i], &name))
			return -1;
		if (!selection && str_eq_icase(name, "STATUS")) {
			/* LIST-STATUS, RFC 5819 */
			if (!imap_arg_get_list(&list[++i], &status_list,
					       NULL) ||
			    imap_status_parse_items(status_list,
						    &ctx->status_items) < 0)
				return -1;
			ctx->opts |= IMAP_LIST_RET_STATUS;
		} else if (imap_list_opt_find(name, selection, &opt)) {
			ctx->opts |= opt;
		} else {
			return -1;
		}
	}
	/* RFC 5258 §3.1: RECURSIVEMATCH needs another selection option */
	if (selection && ctx->opts == IMAP_LIST_SEL_RECURSIVEMATCH)
		return -1;
	return 0;
}

static int imap_list_add_pattern(struct imap_command *cmd,
				 struct imap_list_ctx *ctx, const char *ref,
				 const struct imap_arg *arg)
{
	const char *pattern, *error;

	if (!imap_arg_get_astring(arg, &pattern))
		return -1;
	if (ref[0] != '\0')
		pattern = pool_printf(cmd->pool, "%s%s", ref, pattern);
	if (imap_mailbox_name_from_client(cmd->client, cmd->pool, pattern,
					  &ctx->patterns[ctx->n_patterns],
					  &error) < 0)
		return -1;
	ctx->n_patterns++;
	return 0;
}

/* [(selection)] reference (pattern | (patterns)) [RETURN (options)] */
static int imap_list_parse(struct imap_command *cmd, struct imap_list_ctx *ctx)
{
	const struct imap_arg *args = cmd->args, *list;
	unsigned int count = 1;
	const char *ref;

	if (imap_arg_get_list(args, &list, NULL)) {
		if (imap_list_parse_opts(ctx, list, true) < 0)
			return -1;
		args++;
	}
	if (!imap_arg_get_astring(&args[0], &ref))
		return -1;
	if (!imap_arg_get_list(&args[1], &list, &count))
		list = &args[1];
	ctx->patterns = p_new(cmd->pool, const char *, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		if (imap_list_add_pattern(cmd, ctx, ref, &list[i]) < 0)
			return -1;
	}
	args += 2;
	if (imap_arg_atom_equals(&args[0], "RETURN")) {
		if (!imap_arg_get_list(&args[1], &list, NULL) ||
		    imap_list_parse_opts(ctx, list, false) < 0)
			return -1;
		args += 2;
	}
	return IMAP_ARG_IS_EOL(args) && count > 0 ? 0 : -1;
}

enum imap_list_match {
	IMAP_LIST_NO_MATCH,
	IMAP_LIST_MATCH,
	/* not subscribed itself, listed for subscribed descendants: LSUB's
	   \Noselect parent (RFC 3501 §6.3.9), RECURSIVEMATCH's CHILDINFO
	   (RFC 5258 §3.5) */
	IMAP_LIST_MATCH_CHILDREN,
};

static bool imap_list_pattern_match(const struct imap_list_ctx *ctx,
				    const char *name)
{
	for (unsigned int i = 0; i < ctx->n_patterns; i++) {
		if (mailbox_name_match(ctx->patterns[i], name))
			return true;
	}
	return false;
}

/* A subscribed descendant of infos[idx]; with unmatched_only one that the
   patterns don't match themselves. */
static bool imap_list_has_subscribed_child(const struct imap_list_ctx *ctx,
					   const struct mailbox_info *infos,
					   unsigned int count, unsigned int idx,
					   bool unmatched_only)
{
	const char *parent = infos[idx].name;
	size_t len = strlen(parent);

	for (unsigned int i = 0; i < count; i++) {
		if ((infos[i].flags & MAILBOX_INFO_SUBSCRIBED) != 0 &&
		    strncmp(infos[i].name, parent, len) == 0 &&
		    infos[i].name[len] == MAILBOX_HIERARCHY_SEP &&
		    (!unmatched_only ||
		     !imap_list_pattern_match(ctx, infos[i].name)))
			return true;
	}
	return false;
}

static enum imap_list_match imap_list_match(const struct imap_list_ctx *ctx,
					    const struct mailbox_info *infos,
					    unsigned int count,
					    unsigned int idx)
{
	const struct mailbox_info *info = &infos[idx];
	bool lsub = (ctx->opts & IMAP_LIST_LSUB) != 0;

	if (!imap_list_pattern_match(ctx, info->name))
		return IMAP_LIST_NO_MATCH;
	if ((ctx->opts & IMAP_LIST_SEL_SPECIAL_USE) != 0 &&
	    info->special_use == 0)
		return IMAP_LIST_NO_MATCH;
	if ((ctx->opts & (IMAP_LIST_SEL_SUBSCRIBED | IMAP_LIST_LSUB)) == 0 ||
	    (info->flags & MAILBOX_INFO_SUBSCRIBED) != 0)
		return IMAP_LIST_MATCH;
	if ((lsub || (ctx->opts & IMAP_LIST_SEL_RECURSIVEMATCH) != 0) &&
	    imap_list_has_subscribed_child(ctx, infos, count, idx, lsub))
		return IMAP_LIST_MATCH_CHILDREN;
	return IMAP_LIST_NO_MATCH;
}

static void imap_list_append_attrs(const struct imap_list_ctx *ctx,
				   const struct mailbox_info *info,
				   string_t *out)
{
	size_t start = str_len(out);
	bool subscribed_wanted = (ctx->opts & (IMAP_LIST_SEL_SUBSCRIBED |
					       IMAP_LIST_RET_SUBSCRIBED)) != 0;

	if ((info->flags & MAILBOX_INFO_NONEXISTENT) != 0)
		str_append(out, (ctx->opts & IMAP_LIST_LSUB) != 0
					? " \\Noselect"
					: " \\NonExistent");
	else if ((info->flags & MAILBOX_INFO_NOSELECT) != 0)
		str_append(out, " \\Noselect");
	if ((info->flags & MAILBOX_INFO_NOINFERIORS) != 0)
		str_append(out, " \\Noinferiors");
	if ((ctx->opts & IMAP_LIST_LSUB) == 0) {
		if ((info->flags & MAILBOX_INFO_CHILDREN) != 0)
			str_append(out, " \\HasChildren");
		else if ((info->flags & MAILBOX_INFO_NOCHILDREN) != 0)
			str_append(out, " \\HasNoChildren");
	}
	if (subscribed_wanted && (info->flags & MAILBOX_INFO_SUBSCRIBED) != 0)
		str_append(out, " \\Subscribed");
	for (unsigned int bit = 1; bit <= MAILBOX_SPECIAL_IMPORTANT;
	     bit <<= 1) {
		if ((info->special_use & bit) != 0)
			str_printfa(out, " %s",
				    mailbox_special_use_name(
					    (enum mailbox_special_use)bit));
	}
	/* drop the first space */
	if (str_len(out) > start) {
		memmove(out->data + start, out->data + start + 1,
			str_len(out) - start - 1);
		str_truncate(out, str_len(out) - 1);
	}
}

static void imap_list_append_status(struct imap_command *cmd,
				    struct imap_list_ctx *ctx,
				    const struct mailbox_info *info)
{
	struct mailbox *box;
	struct mailbox_status status;

	if ((info->flags &
	     (MAILBOX_INFO_NOSELECT | MAILBOX_INFO_NONEXISTENT)) != 0)
		return;
	box = mailbox_alloc(cmd->client->user, info->name, 0,
			    &cmd->client->log);
	/* RFC 5819 §2: a mailbox whose status fails is just not reported */
	if (mailbox_get_status(box, ctx->status_items, &status) == 0)
		imap_status_append(cmd->client, ctx->out, info->name,
				   ctx->status_items, &status);
	mailbox_free(&box);
}

static void imap_list_append_one(struct imap_command *cmd,
				 struct imap_list_ctx *ctx,
				 const struct mailbox_info *info,
				 enum imap_list_match match)
{
	bool lsub = (ctx->opts & IMAP_LIST_LSUB) != 0;

	str_printfa(ctx->out, "* %s (", lsub ? "LSUB" : "LIST");
	if (lsub && match == IMAP_LIST_MATCH_CHILDREN)
		str_append(ctx->out, "\\Noselect");
	else
		imap_list_append_attrs(ctx, info, ctx->out);
	str_append(ctx->out, ") \"/\" ");
	imap_mailbox_name_write(cmd->client, ctx->out, info->name);
	if (!lsub && match == IMAP_LIST_MATCH_CHILDREN)
		str_append(ctx->out, " (\"CHILDINFO\" (\"SUBSCRIBED\"))");
	str_append(ctx->out, "\r\n");
	if ((ctx->opts & IMAP_LIST_RET_STATUS) != 0)
		imap_list_append_status(cmd, ctx, info);
}

static void imap_list_work(struct imap_command *cmd)
{
	struct imap_list_ctx *ctx = cmd->context;
	struct mailbox_info *infos;
	unsigned int count;
	const char *error;
	enum mailbox_list_flags flags =
		(ctx->opts & (IMAP_LIST_SEL_SUBSCRIBED | IMAP_LIST_LSUB)) != 0
			? MAILBOX_LIST_FLAG_SUBSCRIBED
			: 0;

	if (mail_user_list_mailboxes(cmd->client->user, flags, cmd->pool,
				     &infos, &count, &error) < 0) {
		ctx->error = pool_printf(cmd->pool, "[UNAVAILABLE] %s", error);
		return;
	}
	ctx->out = str_new(1024, SIZE_MAX);
	for (unsigned int i = 0; i < count; i++) {
		enum imap_list_match match =
			imap_list_match(ctx, infos, count, i);

		if (match != IMAP_LIST_NO_MATCH)
			imap_list_append_one(cmd, ctx, &infos[i], match);
	}
}

static void imap_list_done(struct imap_command *cmd)
{
	struct imap_list_ctx *ctx = cmd->context;

	if (ctx->out == NULL) {
		imap_command_no(cmd, ctx->error);
		return;
	}
	imap_client_send_str(cmd->client, ctx->out);
	str_free(&ctx->out);
	imap_command_okf(cmd, "%s completed.", cmd->name);
}

static void imap_list(struct imap_command *cmd, enum imap_list_opts opts)
{
	struct imap_list_ctx *ctx = p_new(cmd->pool, struct imap_list_ctx, 1);

	ctx->opts = opts;
	if (imap_list_parse(cmd, ctx) < 0 ||
	    ((opts & IMAP_LIST_LSUB) != 0 && ctx->opts != opts)) {
		imap_command_badf(cmd, "Invalid %s arguments.", cmd->name);
		return;
	}
	/* RFC 9051 §6.3.9: an empty pattern asks for the separator */
	if (ctx->n_patterns == 1 && ctx->patterns[0][0] == '\0' &&
	    (opts & IMAP_LIST_LSUB) == 0) {
		imap_client_send_line(cmd->client,
				      "* LIST (\\Noselect) \"/\" \"\"");
		imap_command_ok(cmd, "LIST completed.");
		return;
	}
	cmd->context = ctx;
	imap_command_run_final_work(cmd, imap_list_work, imap_list_done);
}

void imap_cmd_list(struct imap_command *cmd)
{
	imap_list(cmd, 0);
}

void imap_cmd_lsub(struct imap_command *cmd)
{
	imap_list(cmd, IMAP_LIST_LSUB);
}
