// SPDX-License-Identifier: GPL-2.0
/*
 * genkey, genpsk and pubkey: key material on stdin and stdout, no kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "curve25519.h"
#include "encoding.h"
#include "keyfile.h"
#include "subcommands.h"
#include "terminal.h"

/*
 * write(2) rather than stdio, so the only copy of a secret key's text is
 * this buffer, which is wiped.
 */
static int write_key(const struct subcommand *cmd,
		     const uint8_t key[static PTUN_KEY_LEN])
{
	char line[KEY_BASE64_LEN + 2];
	size_t done = 0;
	ssize_t n;
	int err = 0;

	key_to_base64(line, key);
	line[KEY_BASE64_LEN] = '\n';
	while (done < sizeof(line) - 1) {
		n = write(STDOUT_FILENO, line + done, sizeof(line) - 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		done += n;
	}
	sodium_memzero(line, sizeof(line));
	if (err)
		ptun_err("%s: writing the key: %s", cmd->name, strerror(err));
	return err ? 1 : 0;
}

/* genkey, genpsk and pubkey take no arguments and need libsodium. */
static int key_command_start(const struct subcommand *cmd, int argc)
{
	if (argc != 1) {
		subcommand_usage_error(cmd);
		return -1;
	}
	if (sodium_init() < 0) {
		ptun_err("%s: cannot initialise libsodium", cmd->name);
		return -1;
	}
	return 0;
}

static int genkey_run(const struct subcommand *cmd, int argc,
		      const char *argv[])
{
	uint8_t key[PTUN_KEY_LEN];
	struct stat st;
	int ret;

	(void)argv;
	if (key_command_start(cmd, argc))
		return 1;
	/* Same words as wg(8), which scripts may already filter. */
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) &&
	    st.st_mode & S_IRWXO)
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n",
		      stderr);

	randombytes_buf(key, sizeof(key));
	if (cmd == &genkey_command)
		curve25519_clamp_secret(key);
	ret = write_key(cmd, key);
	sodium_memzero(key, sizeof(key));
	return ret;
}

static int pubkey_run(const struct subcommand *cmd, int argc,
		      const char *argv[])
{
	uint8_t secret[PTUN_KEY_LEN], pub[PTUN_KEY_LEN];
	enum key_read_status status;
	int ret;

	(void)argv;
	if (key_command_start(cmd, argc))
		return 1;
	status = key_read_fd(STDIN_FILENO, secret);
	if (status != KEY_READ_OK) {
		ptun_err("%s: %s", cmd->name, key_read_strerror(status));
		sodium_memzero(secret, sizeof(secret));
		return 1;
	}
	ret = curve25519_generate_public(pub, secret);
	sodium_memzero(secret, sizeof(secret));
	if (ret) {
		ptun_err("%s: cannot derive the public key", cmd->name);
		return 1;
	}
	return write_key(cmd, pub);
}

const struct subcommand genkey_command = {
	.name = "genkey",
	.run = genkey_run,
	.summary = "print a new random private key",
	.usage = "genkey",
	.details = "Writes a random Curve25519 private key in base64. Use a umask of 077\n"
		   "so that others cannot read the file it goes to:\n"
		   "  umask 077; ptunctl genkey > private.key\n",
};

const struct subcommand genpsk_command = {
	.name = "genpsk",
	.run = genkey_run,
	.summary = "print a new random preshared key",
	.usage = "genpsk",
	.details = "Writes 32 random bytes in base64, for use as a preshared key.\n",
};

const struct subcommand pubkey_command = {
	.name = "pubkey",
	.run = pubkey_run,
	.summary = "print the public key of the private key read on stdin",
	.usage = "pubkey",
	.details = "Reads a base64 private key from stdin and writes its public key:\n"
		   "  ptunctl pubkey < private.key > public.key\n",
};
