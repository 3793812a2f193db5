// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "terminal.h"

/* PTUN_COLOR_MODE=always|never; anything else means "when on a terminal". */
static bool terminal_colour(void)
{
	static int colour = -1;
	const char *mode;

	if (colour < 0) {
		mode = getenv("PTUN_COLOR_MODE");
		if (mode && !strcmp(mode, "always"))
			colour = 1;
		else if (mode && !strcmp(mode, "never"))
			colour = 0;
		else
			colour = isatty(STDOUT_FILENO);
	}
	return colour;
}

/* Drops CSI escape sequences: ESC '[', parameters, one final byte. */
static void put_without_escapes(const char *s)
{
	while (*s) {
		if (s[0] == '\x1b' && s[1] == '[') {
			for (s += 2; *s && (*s < '@' || *s > '~'); s++)
				;
			if (*s)
				s++;
			continue;
		}
		putchar(*s++);
	}
}

/* printf to stdout, with the TERMINAL_* sequences kept only for colour. */
void terminal_printf(const char *fmt, ...)
{
	va_list ap;
	char *str;
	int len;

	va_start(ap, fmt);
	if (terminal_colour()) {
		vprintf(fmt, ap);
		va_end(ap);
		return;
	}
	len = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	put_without_escapes(str);
	/* With PTUN_HIDE_KEYS=never the line may hold a private key. */
	sodium_memzero(str, len);
	free(str);
}

static const char *msg_context;

void ptun_msg_context(const char *where)
{
	msg_context = where;
}

static __attribute__((format(printf, 2, 0)))
void ptun_vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s%s%s", PROG_NAME, msg_context ? msg_context : "",
		msg_context ? ": " : "", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Every diagnostic is one line, so scripts can show it as it is. */
void ptun_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ptun_vmsg("", fmt, ap);
	va_end(ap);
}

void ptun_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ptun_vmsg("warning: ", fmt, ap);
	va_end(ap);
}
