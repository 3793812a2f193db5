# SPDX-License-Identifier: GPL-2.0
#
# make              ptun.ko (kmod/ptun.ko) for the default kernel, and ptunctl
# make KVER=V       the module for kernel V: a full version or a series (6.1, 6.12)
# make check        install what is missing, build, run unit and VM tests
# make demo         the narrated demo, in a VM: a VPN between four hosts
# make bench        ptun against WireGuard: figures and build/bench.png
# make deps         only install what is missing
# make install      ptunctl, ptun-quick, their man pages and completion, the
#                   systemd unit and the ifupdown hooks (PREFIX, DESTDIR)
# make uninstall    removes what install installed; /etc/ptun's configs stay
# make dkms-install ptun.ko's source to /usr/src and DKMS, built for
#                   DKMS_KERNELS (default: the running kernel) and every
#                   kernel installed later; make dkms-uninstall undoes it
#
# W=1 and C=1 pass through to Kbuild as usual; CONFIG_PTUN_DEBUG=y builds the
# in-module self-tests, which run when the module loads.

TOP := $(CURDIR)
KERNEL := $(TOP)/selftests/vm/kernel

# The default kernel is the one Debian's linux-headers-amd64 points at.  A
# series (6.1, 6.12) is resolved to a full version, fetching it if need be.
# Both are expanded only by the recipes that build modules.
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
kver = $(if $(KVER),$(if $(filter 3,$(words $(subst ., ,$(KVER)))),$(KVER),$(shell \
	$(KERNEL) fetch $(KVER))),$(error no kernel headers: run 'make deps' or set KVER))
KDIR ?= $(shell $(KERNEL) headers $(kver))

all: kmod tools

kmod:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

tools:
	$(MAKE) -C tools/ptunctl

# A private copy per kernel (and per flavour: BUILD=VERSION-debug with
# CONFIG_PTUN_DEBUG=y), so that modules for several kernels can coexist:
# build/VERSION/kmod/ptun.ko.
BUILD ?= $(kver)
module-for:
	@mkdir -p build/$(BUILD)
	@cp -a -u Kbuild kmod uapi build/$(BUILD)/
	$(MAKE) -C $(KDIR) M=$(TOP)/build/$(BUILD) modules

deps:
	@selftests/install-deps

check: deps
	@selftests/check

demo: deps tools
	selftests/demo

# ptun against WireGuard, figures and a chart; not part of check.
bench: deps tools
	@dpkg-query -W -f='$${Status}' python3-matplotlib 2>/dev/null | grep -q 'ok installed' || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-matplotlib
	selftests/bench/run

clean:
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order \
		.*.cmd Module.symvers modules.order
	$(MAKE) -C tools/ptunctl clean
	$(MAKE) -C selftests/unit clean
	rm -rf build

# Installation.  The ifupdown hooks and /etc/ptun live under SYSCONFDIR
# whatever the PREFIX; the unit and the hooks name the installed binaries.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
VERSION := $(shell sed -n 's/.*PTUNCTL_VERSION "\(.*\)"/\1/p' tools/ptunctl/version.h)
at_bindir = sed 's|@BINDIR@|$(BINDIR)|g'

install: tools
	install -D -m 755 tools/ptunctl/ptunctl $(DESTDIR)$(BINDIR)/ptunctl
	install -D -m 755 tools/ptun-quick/ptun-quick $(DESTDIR)$(BINDIR)/ptun-quick
	install -D -m 644 tools/ptun-quick/ptun-quick.8 $(DESTDIR)$(MANDIR)/man8/ptun-quick.8
	install -D -m 644 tools/ptun-quick/completion.bash $(DESTDIR)$(BASHCOMPDIR)/ptun-quick
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/network/if-pre-up.d \
		$(DESTDIR)$(SYSCONFDIR)/network/if-post-down.d
	install -d -m 700 $(DESTDIR)$(SYSCONFDIR)/ptun
	$(at_bindir) tools/systemd/ptun-quick@.service >$(DESTDIR)$(SYSTEMDUNITDIR)/ptun-quick@.service
	$(at_bindir) tools/ifupdown/if-pre-up.sh >$(DESTDIR)$(SYSCONFDIR)/network/if-pre-up.d/ptun
	$(at_bindir) tools/ifupdown/if-post-down.sh >$(DESTDIR)$(SYSCONFDIR)/network/if-post-down.d/ptun
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/ptun-quick@.service
	chmod 755 $(DESTDIR)$(SYSCONFDIR)/network/if-pre-up.d/ptun \
		$(DESTDIR)$(SYSCONFDIR)/network/if-post-down.d/ptun

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ptunctl $(DESTDIR)$(BINDIR)/ptun-quick \
		$(DESTDIR)$(MANDIR)/man8/ptun-quick.8 \
		$(DESTDIR)$(BASHCOMPDIR)/ptun-quick \
		$(DESTDIR)$(SYSTEMDUNITDIR)/ptun-quick@.service \
		$(DESTDIR)$(SYSCONFDIR)/network/if-pre-up.d/ptun \
		$(DESTDIR)$(SYSCONFDIR)/network/if-post-down.d/ptun
	-rmdir $(DESTDIR)$(SYSCONFDIR)/ptun 2>/dev/null

# DKMS builds from /usr/src/ptun-VERSION: the module's sources only.
DKMS_SRC = $(DESTDIR)/usr/src/ptun-$(VERSION)
DKMS_KERNELS ?= $(shell uname -r)

dkms-install:
	@command -v dkms >/dev/null || { echo "dkms-install: no dkms: apt-get install dkms" >&2; exit 1; }
	-dkms remove -m ptun -v $(VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod/selftest $(DKMS_SRC)/uapi/linux
	install -m 644 Kbuild $(DKMS_SRC)/
	install -m 644 kmod/Kbuild kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	install -m 644 kmod/selftest/*.c $(DKMS_SRC)/kmod/selftest/
	install -m 644 uapi/linux/ptun.h $(DKMS_SRC)/uapi/linux/
	sed 's/@VERSION@/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	@# With DESTDIR (a package being built), only the files.
	$(if $(DESTDIR),,dkms add -m ptun -v $(VERSION))
	$(if $(DESTDIR),,for k in $(DKMS_KERNELS); do dkms install -m ptun -v $(VERSION) -k $$k || exit 1; done)

dkms-uninstall:
	-dkms remove -m ptun -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

.PHONY: all kmod tools module-for deps check demo bench clean install uninstall \
	dkms-install dkms-uninstall
