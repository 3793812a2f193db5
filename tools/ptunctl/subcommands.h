/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One struct per subcommand; each lives in the file that implements it.
 */
#ifndef PTUNCTL_SUBCOMMANDS_H
#define PTUNCTL_SUBCOMMANDS_H

struct subcommand {
	const char *name;
	/* argv[0] is the subcommand's name, as for a program */
	int (*run)(const struct subcommand *cmd, int argc, const char *argv[]);
	const char *summary;	/* one line for the list of subcommands */
	const char *usage;	/* synopsis, after "ptunctl " */
	const char *details;	/* further help text, may be NULL */
};

extern const struct subcommand show_command;
extern const struct subcommand set_command;
extern const struct subcommand setconf_command;
extern const struct subcommand addconf_command;
extern const struct subcommand syncconf_command;
extern const struct subcommand showconf_command;
extern const struct subcommand genkey_command;
extern const struct subcommand genpsk_command;
extern const struct subcommand pubkey_command;
extern const struct subcommand monitor_command;

void subcommand_usage_error(const struct subcommand *cmd);

#endif /* PTUNCTL_SUBCOMMANDS_H */
