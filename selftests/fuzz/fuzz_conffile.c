// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file parser on any bytes: no crash, no leak, no
 * undefined behaviour, and a property: whatever it accepts, showconf's
 * form of it reads back to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "device.h"

/* conffile_print()'s output, caught in memory. */
static char *printed(const struct ptun_device *dev, size_t *len)
{
	FILE *saved = stdout, *mem;
	char *text = NULL;

	mem = open_memstream(&text, len);
	if (!mem)
		abort();
	stdout = mem;
	conffile_print(dev);
	fclose(mem);
	stdout = saved;
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the mode, so both are explored. */
	enum conffile_mode mode = size && data[0] & 1 ? CONFFILE_ADD :
					 CONFFILE_SET;
	struct ptun_device dev, again;
	char *first, *second;
	size_t len1, len2;

	memset(&dev, 0, sizeof(dev));
	if (conffile_parse("fuzz", (const char *)data, size, mode, &dev) < 0) {
		ptun_device_wipe(&dev);
		return 0;
	}
	first = printed(&dev, &len1);
	memset(&again, 0, sizeof(again));
	if (conffile_parse("again", first, len1, mode, &again) < 0)
		abort();
	second = printed(&again, &len2);
	if (len1 != len2 || memcmp(first, second, len1))
		abort();
	free(first);
	free(second);
	ptun_device_wipe(&dev);
	ptun_device_wipe(&again);
	return 0;
}
