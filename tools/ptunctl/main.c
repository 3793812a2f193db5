// SPDX-License-Identifier: GPL-2.0
/*
 * ptunctl: configure ptun devices, with the syntax and output of wg(8).
 * main() finds the subcommand and runs it; help lives here too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "subcommands.h"
#include "terminal.h"
#include "version.h"

static const struct subcommand *const subcommands[] = {
	&show_command,
	&showconf_command,
	&set_command,
	&setconf_command,
	&addconf_command,
	&syncconf_command,
	&genkey_command,
	&genpsk_command,
	&pubkey_command,
	&monitor_command,
};

#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void show_usage(void)
{
	size_t i;

	printf("Usage: %s <cmd> [<args>]\n\n", PROG_NAME);
	printf("Commands:\n");
	for (i = 0; i < NR_SUBCOMMANDS; i++)
		printf("  %s: %s\n", subcommands[i]->name,
		       subcommands[i]->summary);
	printf("`%s help <cmd>' or `%s <cmd> --help' shows a command's usage.\n",
	       PROG_NAME, PROG_NAME);
}

static void show_help(const struct subcommand *cmd)
{
	printf("Usage: %s %s\n", PROG_NAME, cmd->usage);
	if (cmd->details)
		printf("\n%s", cmd->details);
}

void subcommand_usage_error(const struct subcommand *cmd)
{
	ptun_err("usage: %s %s", PROG_NAME, cmd->usage);
}

static const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < NR_SUBCOMMANDS; i++) {
		if (!strcmp(name, subcommands[i]->name))
			return subcommands[i];
	}
	ptun_err("unknown subcommand `%s' (see `%s help')", name, PROG_NAME);
	return NULL;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static int dispatch(int argc, const char *argv[])
{
	static const char *show_all[] = { "show", NULL };
	const struct subcommand *cmd;

	if (argc == 1)
		return show_command.run(&show_command, 1, show_all);

	if (argc == 2 && (!strcmp(argv[1], "-v") ||
			  !strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "version"))) {
		printf("%s v%s\n", PROG_NAME, PTUNCTL_VERSION);
		return 0;
	}
	if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
		if (argc == 2) {
			show_usage();
			return 0;
		}
		if (argc > 3) {
			ptun_err("usage: %s help [<cmd>]", PROG_NAME);
			return 1;
		}
		cmd = find_subcommand(argv[2]);
		if (!cmd)
			return 1;
		show_help(cmd);
		return 0;
	}

	cmd = find_subcommand(argv[1]);
	if (!cmd)
		return 1;
	if (argc == 3 && is_help(argv[2])) {
		show_help(cmd);
		return 0;
	}
	return cmd->run(cmd, argc - 1, argv + 1);
}

int main(int argc, const char *argv[])
{
	int ret = dispatch(argc, argv);

	/* A full disk or closed pipe must not look like success. */
	if (fflush(stdout) || ferror(stdout)) {
		ptun_err("writing to stdout: %s", strerror(errno));
		return 1;
	}
	return ret;
}
