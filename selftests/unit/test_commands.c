// SPDX-License-Identifier: GPL-2.0
/*
 * `show' and `set' run whole against a fake kernel (fake_ipc.c): the exact
 * output wg(8) would print for the same configuration, and the requests set
 * makes, or does not make.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "encoding.h"
#include "fake_ipc.h"
#include "subcommands.h"
#include "tap.h"
#include "terminal.h"

#define PRIV	"sIYIWy5Yp1FcVuMYc2Pj5H++2sIQQVqhWvehOwEOeEo="
#define PUB	"TjjzMgj46kez5jlOhNemBbp44W/mCeIyZnzC2Jx20So="

/* show.c and set.c report usage errors through main.c, not linked here. */
void subcommand_usage_error(const struct subcommand *cmd)
{
	ptun_err("usage: %s %s", PROG_NAME, cmd->usage);
}

static struct ptun_device devices[2];

static const struct ipc_link two_links[] = {
	{ 5, "pt0" }, { 7, "pt1" },
};

/* "gone" is listed, then vanishes before it is read. */
static const struct ipc_link three_links[] = {
	{ 5, "pt0" }, { 6, "gone" }, { 7, "pt1" },
};

struct outcome {
	int status;
	char out[8192], err[4096], log[4096];
};

static void read_back(FILE *file, char *buf, size_t size)
{
	size_t n;

	rewind(file);
	n = fread(buf, 1, size - 1, file);
	buf[n] = '\0';
	fclose(file);
}

/*
 * Runs one subcommand in a child, as if from the command line, with the
 * given PTUN_COLOR_MODE and PTUN_HIDE_KEYS (NULL: unset).  A child also
 * gives each run fresh caches, such as the colour decision.
 */
static void run(struct outcome *o, const char *colour, const char *hide,
		const char *const *args)
{
	FILE *out = tmpfile(), *err = tmpfile(), *log = tmpfile();
	const struct subcommand *cmd;
	const char *argv[16];
	int argc = 0, status;
	pid_t pid;

	if (!out || !err || !log)
		abort();
	while (args[argc]) {
		argv[argc] = args[argc];
		argc++;
	}
	argv[argc] = NULL;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		if (colour)
			setenv("PTUN_COLOR_MODE", colour, 1);
		else
			unsetenv("PTUN_COLOR_MODE");
		if (hide)
			setenv("PTUN_HIDE_KEYS", hide, 1);
		else
			unsetenv("PTUN_HIDE_KEYS");
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(err), STDERR_FILENO);
		fake_ipc.log = log;
		setvbuf(log, NULL, _IONBF, 0);
		cmd = !strcmp(argv[0], "set") ? &set_command : &show_command;
		status = cmd->run(cmd, argc, argv);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		abort();
	o->status = WEXITSTATUS(status);
	read_back(out, o->out, sizeof(o->out));
	read_back(err, o->err, sizeof(o->err));
	read_back(log, o->log, sizeof(o->log));
}

static void diag_text(const char *name, const char *text)
{
	const char *line = text, *end;

	while (*line) {
		end = strchrnul(line, '\n');
		tap_diag("%s: %.*s", name, (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
}

/* Passes when status and stdout are exactly as given and stderr is empty. */
static void expect(const char *what, const char *colour, const char *hide,
		   const char *const *args, const char *want)
{
	struct outcome o;

	run(&o, colour, hide, args);
	if (!tap_ok(!o.status && !strcmp(o.out, want) && !o.err[0],
		    "%s", what)) {
		tap_diag("status %d", o.status);
		diag_text("got", o.out);
		diag_text("want", want);
		diag_text("stderr", o.err);
	}
}

static void use_links(const struct ipc_link *links, size_t nr)
{
	fake_ipc.links = links;
	fake_ipc.nr_links = nr;
}

static void test_show_views(void)
{
	use_links(two_links, 2);

	expect("show: both devices, wg's full view", NULL, NULL,
	       (const char *[]){ "show", NULL },
	       "interface: pt0\n"
	       "  public key: " PUB "\n"
	       "  private key: (hidden)\n"
	       "  listening port: 51820\n"
	       "  fwmark: 0x20\n"
	       "\n"
	       "interface: pt1\n");
	expect("show all is show", NULL, NULL,
	       (const char *[]){ "show", "all", NULL },
	       "interface: pt0\n"
	       "  public key: " PUB "\n"
	       "  private key: (hidden)\n"
	       "  listening port: 51820\n"
	       "  fwmark: 0x20\n"
	       "\n"
	       "interface: pt1\n");
	expect("show pt1: unset fields are left out", NULL, NULL,
	       (const char *[]){ "show", "pt1", NULL },
	       "interface: pt1\n");
	expect("PTUN_HIDE_KEYS=never shows the private key", "never", "never",
	       (const char *[]){ "show", "pt0", NULL },
	       "interface: pt0\n"
	       "  public key: " PUB "\n"
	       "  private key: " PRIV "\n"
	       "  listening port: 51820\n"
	       "  fwmark: 0x20\n");
	expect("PTUN_COLOR_MODE=always: wg's colours", "always", NULL,
	       (const char *[]){ "show", "pt0", NULL },
	       "\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: \x1b[32mpt0\x1b[0m\n"
	       "  \x1b[1mpublic key\x1b[0m: " PUB "\n"
	       "  \x1b[1mprivate key\x1b[0m: (hidden)\n"
	       "  \x1b[1mlistening port\x1b[0m: 51820\n"
	       "  \x1b[1mfwmark\x1b[0m: 0x20\n");
	expect("PTUN_COLOR_MODE=auto on a file: no colours", "auto", NULL,
	       (const char *[]){ "show", "pt1", NULL },
	       "interface: pt1\n");
	expect("dump and fields never use colour", "always", NULL,
	       (const char *[]){ "show", "pt1", "dump", NULL },
	       "(none)\t(none)\t0\toff\n");
}

static void test_show_fields(void)
{
	use_links(two_links, 2);

	expect("show all dump", NULL, NULL,
	       (const char *[]){ "show", "all", "dump", NULL },
	       "pt0\t" PRIV "\t" PUB "\t51820\t0x20\n"
	       "pt1\t(none)\t(none)\t0\toff\n");
	expect("show pt0 dump: no interface column", NULL, NULL,
	       (const char *[]){ "show", "pt0", "dump", NULL },
	       PRIV "\t" PUB "\t51820\t0x20\n");
	expect("show all public-key", NULL, NULL,
	       (const char *[]){ "show", "all", "public-key", NULL },
	       "pt0\t" PUB "\npt1\t(none)\n");
	expect("show all private-key", NULL, NULL,
	       (const char *[]){ "show", "all", "private-key", NULL },
	       "pt0\t" PRIV "\npt1\t(none)\n");
	expect("show all listen-port", NULL, NULL,
	       (const char *[]){ "show", "all", "listen-port", NULL },
	       "pt0\t51820\npt1\t0\n");
	expect("show all fwmark", NULL, NULL,
	       (const char *[]){ "show", "all", "fwmark", NULL },
	       "pt0\t0x20\npt1\toff\n");
	expect("show pt0 fwmark", NULL, NULL,
	       (const char *[]){ "show", "pt0", "fwmark", NULL }, "0x20\n");
	expect("show pt1 private-key", NULL, NULL,
	       (const char *[]){ "show", "pt1", "private-key", NULL },
	       "(none)\n");
	expect("show pt0 listen-port", NULL, NULL,
	       (const char *[]){ "show", "pt0", "listen-port", NULL },
	       "51820\n");
	expect("show interfaces", NULL, NULL,
	       (const char *[]){ "show", "interfaces", NULL }, "pt0 pt1\n");
}

static void test_show_failures(void)
{
	struct outcome o;

	use_links(two_links, 2);
	run(&o, NULL, NULL, (const char *[]){ "show", "nosuch", NULL });
	if (!tap_ok(o.status == 1 && !o.out[0] &&
		    !strcmp(o.err, "ptunctl: show nosuch: no device of that name (No such device)\n"),
		    "show of a missing device: one line with the kernel's reason"))
		diag_text("stderr", o.err);

	use_links(three_links, 3);
	run(&o, NULL, NULL, (const char *[]){ "show", "all", "dump", NULL });
	tap_ok(!o.status && !strcmp(o.out, "pt0\t" PRIV "\t" PUB "\t51820\t0x20\n"
				    "pt1\t(none)\t(none)\t0\toff\n") &&
	       !strcmp(o.err, "ptunctl: show gone: no device of that name (No such device)\n"),
	       "a device that vanishes is reported, the others shown, exit 0 (as wg)");

	use_links(three_links + 1, 1);
	run(&o, NULL, NULL, (const char *[]){ "show", NULL });
	tap_ok(o.status == 1 && !o.out[0] && tap_is_one_line_error(o.err),
	       "show fails when no listed device can be read");

	use_links(NULL, 0);
	run(&o, NULL, NULL, (const char *[]){ "show", NULL });
	if (!tap_ok(!o.status && !o.out[0] && !o.err[0] &&
		    !strcmp(o.log, "list\n"),
		    "no ptun device: show prints nothing and never opens genl"))
		diag_text("stderr", o.err);
	run(&o, NULL, NULL, (const char *[]){ "show", "interfaces", NULL });
	tap_ok(!o.status && !o.out[0], "no ptun device: show interfaces prints nothing");

	use_links(two_links, 2);
	fake_ipc.no_module = true;
	run(&o, NULL, NULL, (const char *[]){ "show", "pt0", NULL });
	fake_ipc.no_module = false;
	if (!tap_ok(o.status == 1 && !o.out[0] &&
		    !strcmp(o.err, "ptunctl: show pt0: ptun module not loaded (no \"ptun\" generic netlink family)\n"),
		    "no module: one line saying so"))
		diag_text("stderr", o.err);

	run(&o, NULL, NULL, (const char *[]){ "show", "pt0", "peers", NULL });
	tap_ok(o.status == 1 && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "peers") && !o.log[0],
	       "show with an unknown field fails before any request");
}

static void test_set(const char *dir)
{
	char keyfile[256], want[512];
	struct outcome o;
	FILE *file;

	snprintf(keyfile, sizeof(keyfile), "%s/key", dir);
	file = fopen(keyfile, "w");
	if (!file || fputs(PRIV "\n", file) < 0 || fclose(file))
		abort();
	chmod(keyfile, 0600);

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "listen-port", "1",
		"fwmark", "off", "private-key", keyfile, NULL });
	snprintf(want, sizeof(want),
		 "open\nset pt0 flags 0x%x port 1 fwmark 0x0 key " PRIV "\nclose\n",
		 PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK |
		 PTUN_DEVICE_HAS_PRIVATE_KEY);
	if (!tap_ok(!o.status && !strcmp(o.log, want) && !o.out[0] && !o.err[0],
		    "set sends one request with exactly the given settings"))
		diag_text("log", o.log);

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "fwmark", "0x10",
		NULL });
	snprintf(want, sizeof(want),
		 "open\nset pt0 flags 0x%x port 0 fwmark 0x10 key -\nclose\n",
		 PTUN_DEVICE_HAS_FWMARK);
	tap_ok(!o.status && !strcmp(o.log, want),
	       "set fwmark alone sends nothing else");

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "private-key",
		"/dev/null", NULL });
	snprintf(want, sizeof(want),
		 "open\nset pt0 flags 0x%x port 0 fwmark 0x0 key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nclose\n",
		 PTUN_DEVICE_HAS_PRIVATE_KEY);
	tap_ok(!o.status && !strcmp(o.log, want),
	       "set private-key /dev/null sends the all-zero key");

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "fwmark", "1",
		"listen-port", "70000", NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "70000"),
	       "set with a bad value after a good one sends nothing");

	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", NULL });
	tap_ok(o.status == 1 && !o.log[0] && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "usage"), "set without settings sends nothing");

	fake_ipc.set_error = "the device is not a ptun device (Operation not supported)";
	run(&o, NULL, NULL, (const char *[]){ "set", "lo", "fwmark", "1", NULL });
	fake_ipc.set_error = NULL;
	if (!tap_ok(o.status == 1 &&
		    !strcmp(o.err, "ptunctl: set lo: the device is not a ptun device (Operation not supported)\n"),
		    "a refused set: one line with the kernel's reason, exit 1"))
		diag_text("stderr", o.err);

	fake_ipc.no_module = true;
	run(&o, NULL, NULL, (const char *[]){ "set", "pt0", "fwmark", "1", NULL });
	fake_ipc.no_module = false;
	tap_ok(o.status == 1 && tap_is_one_line_error(o.err) &&
	       strstr(o.err, "set pt0: ptun module not loaded") &&
	       !strstr(o.log, "set "), "set without the module: one line, no request");
	unlink(keyfile);
}

int main(void)
{
	char dir[] = "/tmp/ptunctl-commands.XXXXXX";

	strcpy(devices[0].name, "pt0");
	devices[0].ifindex = 5;
	devices[0].flags = PTUN_DEVICE_HAS_PRIVATE_KEY |
			   PTUN_DEVICE_HAS_PUBLIC_KEY |
			   PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK;
	key_from_base64(devices[0].private_key, PRIV, strlen(PRIV));
	key_from_base64(devices[0].public_key, PUB, strlen(PUB));
	devices[0].listen_port = 51820;
	devices[0].fwmark = 0x20;
	strcpy(devices[1].name, "pt1");
	devices[1].ifindex = 7;
	devices[1].flags = PTUN_DEVICE_HAS_LISTEN_PORT | PTUN_DEVICE_HAS_FWMARK;
	fake_ipc.devices = devices;
	fake_ipc.nr_devices = 2;

	if (!mkdtemp(dir))
		abort();
	test_show_views();
	test_show_fields();
	test_show_failures();
	test_set(dir);
	rmdir(dir);
	return tap_exit_status();
}
