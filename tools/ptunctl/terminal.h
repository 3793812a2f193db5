/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output to people: colours on a terminal, one-line diagnostics on stderr.
 */
#ifndef PTUNCTL_TERMINAL_H
#define PTUNCTL_TERMINAL_H

#define PROG_NAME		"ptunctl"

#define TERMINAL_FG_RED		"\x1b[31m"
#define TERMINAL_FG_GREEN	"\x1b[32m"
#define TERMINAL_FG_YELLOW	"\x1b[33m"
#define TERMINAL_FG_CYAN	"\x1b[36m"
#define TERMINAL_BOLD		"\x1b[1m"
#define TERMINAL_RESET		"\x1b[0m"

void terminal_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void ptun_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ptun_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * While set, every diagnostic names where it comes from after "ptunctl: ",
 * such as "wg0.conf:12"; NULL ends it.  The text is not copied.
 */
void ptun_msg_context(const char *where);

#endif /* PTUNCTL_TERMINAL_H */
