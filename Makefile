# SPDX-License-Identifier: GPL-2.0
#
# make              ptun.ko (kmod/ptun.ko) for the default kernel, and ptunctl
# make KVER=V       the module for kernel V: a full version or a series (6.1, 6.12)
# make check        install what is missing, build, run unit and VM tests
#                   (the protocol scenarios also on a debug kernel)
# make check-debug  every VM scenario on the debug kernel (KASAN, kmemleak,
#                   lockdep, UBSAN, ...), built once from Debian's source
# make demo         the narrated demo, in a VM: a VPN between four hosts
# make bench        ptun against WireGuard: figures and build/bench.png
# make bench-scale  ptun against WireGuard with 50,000 peers: setconf time,
#                   memory per peer, per-packet cost, removal
# make deps         only install what is missing
# make install      install the tools, their man pages and completion
#                   (PREFIX=/usr/local, DESTDIR for staging); make uninstall
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

# Each component has its own install-NAME and uninstall-NAME recipes and
# adds NAME to INSTALL_COMPONENTS.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/ptun
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
INSTALL_COMPONENTS := ptunctl

install: $(addprefix install-,$(INSTALL_COMPONENTS))
uninstall: $(addprefix uninstall-,$(INSTALL_COMPONENTS))

install-ptunctl: tools
	$(INSTALL) -D -m 0755 tools/ptunctl/ptunctl $(DESTDIR)$(SBINDIR)/ptunctl
	$(INSTALL) -D -m 0644 tools/ptunctl/ptunctl.8 $(DESTDIR)$(MANDIR)/man8/ptunctl.8
	$(INSTALL) -D -m 0644 tools/ptunctl/ptunctl-show.schema.json \
		$(DESTDIR)$(DATADIR)/ptunctl-show.schema.json
	$(INSTALL) -D -m 0644 tools/completion/ptunctl.bash $(DESTDIR)$(BASHCOMPDIR)/ptunctl

uninstall-ptunctl:
	rm -f $(DESTDIR)$(SBINDIR)/ptunctl $(DESTDIR)$(MANDIR)/man8/ptunctl.8 \
		$(DESTDIR)$(DATADIR)/ptunctl-show.schema.json \
		$(DESTDIR)$(BASHCOMPDIR)/ptunctl
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null

check: deps
	@selftests/check

check-debug: deps
	@selftests/check -a -k 6.1-debug

demo: deps tools
	selftests/demo

# ptun against WireGuard, figures and a chart; not part of check.
bench: deps tools
	@dpkg-query -W -f='$${Status}' python3-matplotlib 2>/dev/null | grep -q 'ok installed' || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-matplotlib
	selftests/bench/run

# 50,000 peers in ptun and in WireGuard, in the same VM run; not part of check.
bench-scale: deps tools
	selftests/bench/scale

clean:
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order \
		.*.cmd Module.symvers modules.order
	$(MAKE) -C tools/ptunctl clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/fuzz clean
	rm -rf build

.PHONY: all kmod tools module-for deps check check-debug demo bench bench-scale clean install uninstall \
	$(addprefix install-,$(INSTALL_COMPONENTS)) $(addprefix uninstall-,$(INSTALL_COMPONENTS))
