// SPDX-License-Identifier: GPL-2.0
/*
 * The human forms of the full view, against the text wg(8) prints for the
 * same values: durations, handshake ages and byte counts.
 */
#include <stdio.h>
#include <string.h>

#include "pretty.h"
#include "tap.h"
#include "terminal.h"

/* The text without its colour sequences, as on a pipe. */
static const char *plain(const char *text)
{
	static char out[PRETTY_TEXT_SIZE];
	size_t len = 0;

	while (*text) {
		if (text[0] == '\x1b' && text[1] == '[') {
			text += strcspn(text, "m") + 1;
			continue;
		}
		out[len++] = *text++;
	}
	out[len] = '\0';
	return out;
}

struct form {
	uint64_t value;
	const char *text;
};

/* Each value, formatted and stripped of colour, is its text. */
static void check_forms(void (*format)(char buf[static PRETTY_TEXT_SIZE],
				       uint64_t value),
			const char *unit, const struct form *cases, size_t nr)
{
	char buf[PRETTY_TEXT_SIZE];
	size_t i;

	for (i = 0; i < nr; i++) {
		format(buf, cases[i].value);
		if (!tap_ok(!strcmp(plain(buf), cases[i].text),
			    "%llu %s: \"%s\"",
			    (unsigned long long)cases[i].value, unit,
			    cases[i].text))
			tap_diag("got \"%s\"", plain(buf));
	}
}

static void test_durations(void)
{
	static const struct form cases[] = {
		{ 0, "" },
		{ 1, "1 second" },
		{ 2, "2 seconds" },
		{ 25, "25 seconds" },
		{ 60, "1 minute" },
		{ 62, "1 minute, 2 seconds" },
		{ 3600, "1 hour" },
		{ 3661, "1 hour, 1 minute, 1 second" },
		{ 86400, "1 day" },
		{ 90001, "1 day, 1 hour, 1 second" },
		{ 65535, "18 hours, 12 minutes, 15 seconds" },
		{ 365 * 86400, "1 year" },
		{ 2 * 365 * 86400 + 2 * 86400 + 7200 + 120 + 2,
		  "2 years, 2 days, 2 hours, 2 minutes, 2 seconds" },
		{ UINT64_MAX, "584942417355 years, 26 days, 7 hours, 15 seconds" },
	};
	char buf[PRETTY_TEXT_SIZE];

	check_forms(pretty_duration, "seconds", cases,
		    sizeof(cases) / sizeof(cases[0]));
	pretty_duration(buf, 62);
	tap_ok(!strcmp(buf, "1 " TERMINAL_FG_CYAN "minute" TERMINAL_RESET ", 2 "
		       TERMINAL_FG_CYAN "seconds" TERMINAL_RESET),
	       "units are cyan, as wg colours them");
}

static void test_ago(void)
{
	const time_t now = 1700000000;
	const uint64_t ns = 1000000000;
	char buf[PRETTY_TEXT_SIZE];

	pretty_ago(buf, now * ns, now);
	tap_ok(!strcmp(buf, "Now"), "a handshake this second: Now");
	pretty_ago(buf, now * ns + 999999999, now);
	tap_ok(!strcmp(buf, "Now"), "nanoseconds do not count: still Now");
	pretty_ago(buf, (now - 62) * ns + 5, now);
	tap_ok(!strcmp(plain(buf), "1 minute, 2 seconds ago"),
	       "62 seconds before: 1 minute, 2 seconds ago");
	pretty_ago(buf, (now - 90001) * ns, now);
	tap_ok(!strcmp(plain(buf), "1 day, 1 hour, 1 second ago"),
	       "a day and an hour before");
	pretty_ago(buf, (now + 1) * ns, now);
	tap_ok(!strcmp(buf, "(" TERMINAL_FG_RED "System clock wound backward; connection problems may ensue." TERMINAL_RESET ")"),
	       "a handshake in the future: wg's warning, in red");
}

static void test_bytes(void)
{
	static const struct form cases[] = {
		{ 0, "0 B" },
		{ 100, "100 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.00 KiB" },
		{ 1239, "1.21 KiB" },
		{ 1024 * 1024 - 1, "1024.00 KiB" },
		{ 1024 * 1024, "1.00 MiB" },
		{ 3565158, "3.40 MiB" },
		{ 1ULL << 30, "1.00 GiB" },
		{ (1ULL << 40) - 1, "1024.00 GiB" },
		{ 5ULL << 39, "2.50 TiB" },
		{ 1ULL << 40, "1.00 TiB" },
		{ 3ULL << 50, "3072.00 TiB" },
	};
	char buf[PRETTY_TEXT_SIZE];

	check_forms(pretty_bytes, "bytes", cases,
		    sizeof(cases) / sizeof(cases[0]));
	pretty_bytes(buf, 1239);
	tap_ok(!strcmp(buf, "1.21 " TERMINAL_FG_CYAN "KiB" TERMINAL_RESET),
	       "the unit is cyan, as wg colours it");
}

int main(void)
{
	test_durations();
	test_ago();
	test_bytes();
	return tap_exit_status();
}
