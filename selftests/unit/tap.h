/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP-ish output for the unit tests: "ok N - what" or "not ok N - what",
 * with "# ..." lines explaining a failure.
 */
#ifndef SELFTESTS_UNIT_TAP_H
#define SELFTESTS_UNIT_TAP_H

#include <stdbool.h>
#include <stddef.h>

bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_exit_status(void);

/* Collects what the code under test writes to stderr. */
struct tap_capture {
	int saved_fd;
	int fd;
};

void tap_capture_begin(struct tap_capture *cap);
void tap_capture_end(struct tap_capture *cap, char *buf, size_t size);

/* The value of call, made with stderr captured into the array buf. */
#define tap_captured(buf, call) ({					\
	struct tap_capture cap_;					\
	__typeof__(call) ret_;						\
									\
	tap_capture_begin(&cap_);					\
	ret_ = (call);							\
	tap_capture_end(&cap_, (buf), sizeof(buf));			\
	ret_;								\
})

/* One "ptunctl: ..." line, the form of every ptunctl diagnostic. */
bool tap_is_one_line_error(const char *text);

#endif /* SELFTESTS_UNIT_TAP_H */
