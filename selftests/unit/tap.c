// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static unsigned int tap_count, tap_failed;

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int tap_exit_status(void)
{
	return tap_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void tap_capture_begin(struct tap_capture *cap)
{
	FILE *file = tmpfile();

	if (!file) {
		perror("tmpfile");
		exit(EXIT_FAILURE);
	}
	fflush(stderr);
	cap->fd = dup(fileno(file));
	fclose(file);
	cap->saved_fd = dup(STDERR_FILENO);
	if (cap->fd < 0 || cap->saved_fd < 0 ||
	    dup2(cap->fd, STDERR_FILENO) < 0) {
		perror("dup");
		exit(EXIT_FAILURE);
	}
}

void tap_capture_end(struct tap_capture *cap, char *buf, size_t size)
{
	ssize_t n;

	fflush(stderr);
	dup2(cap->saved_fd, STDERR_FILENO);
	close(cap->saved_fd);
	n = pread(cap->fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(cap->fd);
}

bool tap_is_one_line_error(const char *text)
{
	const char *newline = strchr(text, '\n');

	return !strncmp(text, "ptunctl: ", strlen("ptunctl: ")) &&
	       newline && !newline[1];
}
