/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The full view of `show', for people: wg(8)'s layout, words and colours.
 */
#ifndef PTUNCTL_PRETTY_H
#define PTUNCTL_PRETTY_H

#include <stdint.h>
#include <time.h>

#include "device.h"

#define PRETTY_TEXT_SIZE	256

/*
 * Human forms, with TERMINAL_* colour sequences that terminal_printf()
 * keeps or drops: "1 minute, 2 seconds" (empty for 0), "Now" or "... ago"
 * for a handshake in nanoseconds since the epoch, "1.21 KiB".
 */
void pretty_duration(char buf[static PRETTY_TEXT_SIZE], uint64_t seconds);
void pretty_ago(char buf[static PRETTY_TEXT_SIZE], uint64_t then_ns,
		time_t now);
void pretty_bytes(char buf[static PRETTY_TEXT_SIZE], uint64_t bytes);

/* Peers come most recent handshake first, as wg(8) sorts them. */
void pretty_print_device(const struct ptun_device *dev, time_t now);

#endif /* PTUNCTL_PRETTY_H */
