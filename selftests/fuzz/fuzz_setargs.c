// SPDX-License-Identifier: GPL-2.0
/*
 * The arguments of `set' on any input: NUL-separated words become argv.
 * Key file arguments may only name files in a scratch directory holding a
 * key (k) and an empty file (e): nothing the fuzzer writes reaches /dev or
 * reads stdin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "device.h"

#define MAX_ARGS	64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/ptun-fuzz-setargs.XXXXXX";

static void remove_dir(void)
{
	unlink("k");
	unlink("e");
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *file;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || chdir(dir))
		abort();
	file = fopen("k", "w");
	if (!file || fputs("sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo=\n", file) < 0 ||
	    fclose(file))
		abort();
	file = fopen("e", "w");
	if (!file || fclose(file))
		abort();
	if (!freopen("/dev/null", "r", stdin))
		abort();
	atexit(remove_dir);
	return 0;
}

/* No absolute paths and no way up: "/x" becomes "_x", ".." "_.". */
static void confine(char *word)
{
	char *up;

	if (word[0] == '/')
		word[0] = '_';
	while ((up = strstr(word, "..")))
		up[0] = '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[MAX_ARGS];
	struct ptun_device dev;
	char *copy, *word;
	int argc = 0;

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "pt0";
	for (word = copy; word < copy + size && argc < MAX_ARGS;
	     word += strlen(word) + 1) {
		confine(word);
		argv[argc++] = word;
	}
	config_parse_set_args(argc, argv, &dev);
	ptun_device_wipe(&dev);
	free(copy);
	return 0;
}
