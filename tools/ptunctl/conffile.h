/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration files in wg(8)'s format: an [Interface] section and [Peer]
 * sections of `Key = value' lines, read for setconf, addconf and syncconf
 * and written by showconf.
 */
#ifndef PTUNCTL_CONFFILE_H
#define PTUNCTL_CONFFILE_H

#include <stddef.h>

#include "device.h"

enum conffile_mode {
	/*
	 * setconf: the file is the whole configuration.  Interface settings
	 * it leaves out are cleared (no private key, fwmark off, a random
	 * port) and peers it leaves out are removed.
	 */
	CONFFILE_SET,
	/*
	 * addconf: only what the file names changes.  dev->flags and each
	 * peer's flags then also tell which settings the file named.
	 */
	CONFFILE_ADD,
};

/*
 * Parses len bytes of text, naming messages after name (the file's path),
 * into dev, which the caller wipes afterwards, on failure too.  Every check
 * is done and every endpoint resolved before this returns.
 */
int conffile_parse(const char *name, const char *text, size_t len,
		   enum conffile_mode mode, struct ptun_device *dev);

/* The same for a file; warns when it holds keys others can read. */
int conffile_read(const char *path, enum conffile_mode mode,
		  struct ptun_device *dev);

/* dev as `wg showconf' prints it, on stdout. */
void conffile_print(const struct ptun_device *dev);

#endif /* PTUNCTL_CONFFILE_H */
