# SPDX-License-Identifier: GPL-2.0
#
# make              ptun.ko (kmod/ptun.ko) for the default kernel, and ptunctl
# make KVER=V       the module for kernel V: a full version or a series (6.1,
#                   6.12: trixie's, newest: trixie-backports' 7.x, also by
#                   its series, e.g. 7.3); see "Supported kernels" in README.md
# make check        install what is missing, build, run unit and VM tests:
#                   every scenario file on 6.1, all but the tools' own on
#                   the newest, a share on trixie's 6.12 and on the debug
#                   kernel (target: under 1 h)
# make check-full   the same with every scenario file on every Debian kernel
# make check-debug  every VM scenario on the debug kernel (KASAN, kmemleak,
#                   lockdep, UBSAN, ...), built once from Debian's source
# make demo         the narrated demo, in a VM: a VPN between four hosts
# make bench        ptun against WireGuard: figures and build/bench.png
# make bench-counters  A/B of the commit that added the drop counters
#                   against its parent (selftests/bench/compare)
# make bench-scale  ptun against WireGuard with 50,000 peers: setconf time,
#                   memory per peer, per-packet cost, removal
# make deb          Debian packages ptun-dkms and ptun-tools in build/deb/
#                   (dpkg-buildpackage; selftests/deb/check tests them)
# make deps         only install what is missing
# make install      install the tools, their man pages and completion, the
#                   systemd unit and the ifupdown hooks (PREFIX=/usr/local,
#                   DESTDIR for staging); make uninstall; /etc/ptun stays
# make dkms-install ptun.ko's source to /usr/src and DKMS, built for
#                   DKMS_KERNELS (default: the running kernel) and every
#                   kernel installed later; make dkms-uninstall undoes it.
#                   DKMS_SOURCETREE (default /usr/src) is where the source
#                   goes; DKMS_FLAGS are passed to every dkms command (e.g.
#                   --dkmstree DIR --installtree DIR --no-depmod to build
#                   into private trees, as selftests/unit/check-install does)
#
# W=1 and C=1 pass through to Kbuild as usual; CONFIG_PTUN_DEBUG=y builds the
# in-module self-tests, which run when the module loads.

TOP := $(CURDIR)
KERNEL := $(TOP)/selftests/vm/kernel

# The default kernel is the one Debian's linux-headers-amd64 points at.  A
# series (6.1, 6.12, newest) is resolved to a full version, fetching it if
# need be (selftests/vm/kernel says which series there are when it is not
# one).  Both are expanded only by the recipes that build modules.
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
kver = $(if $(KVER),$(if $(filter 3,$(words $(subst ., ,$(KVER)))),$(KVER),$(or $(shell \
	$(KERNEL) fetch $(KVER)),$(error KVER=$(KVER): no such kernel))),$(error \
	no kernel headers: run 'make deps' or set KVER))
KDIR ?= $(or $(shell $(KERNEL) headers $(kver)),$(error no headers for $(kver)))
# Trixie's kernels build their modules in the trixie root (KRUN runs the
# build there; see selftests/vm/trixie-root).
KRUN ?= $(shell $(KERNEL) runner $(kver))

all: kmod tools

kmod:
	$(KRUN) $(MAKE) -C $(KDIR) M=$(TOP) modules

tools:
	$(MAKE) -C tools/ptunctl

# A private copy per kernel (and per flavour: debug-module-for), so that
# modules for several kernels can coexist: build/VERSION/kmod/ptun.ko.
BUILD ?= $(kver)
module-for:
	@mkdir -p build/$(BUILD)
	@cp -a -u Kbuild kmod uapi build/$(BUILD)/
	$(KRUN) $(MAKE) -C $(KDIR) M=$(TOP)/build/$(BUILD) modules

# The debug flavour for KVER: build/VERSION-debug/kmod/ptun.ko.
debug-module-for:
	@$(MAKE) --no-print-directory module-for BUILD=$(kver)-debug CONFIG_PTUN_DEBUG=y

# Where the two above put ptun.ko, for the scripts that load it.
module-path:
	@echo $(TOP)/build/$(BUILD)/kmod/ptun.ko

debug-module-path:
	@$(MAKE) --no-print-directory module-path BUILD=$(kver)-debug

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
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL_COMPONENTS := ptunctl quick boot

# install notes the directories it creates (those missing before it ran) in
# DATADIR/installed-dirs, so that uninstall removes them again once empty and
# never one that was there before.
INSTALL_DIRS = $(SBINDIR) $(MANDIR)/man8 $(DATADIR) $(BASHCOMPDIR) $(SYSCONFDIR)/ptun \
	$(SYSTEMDUNITDIR) $(SYSCONFDIR)/network/if-pre-up.d $(SYSCONFDIR)/network/if-post-down.d
INSTALLED_DIRS = $(DESTDIR)$(DATADIR)/installed-dirs

install:
	@new=$$(for d in $(INSTALL_DIRS); do \
		while [ "$$d" != / ] && [ ! -d "$(DESTDIR)$$d" ]; do echo "$$d"; d=$$(dirname "$$d"); done; \
	done); \
	$(MAKE) --no-print-directory $(addprefix install-,$(INSTALL_COMPONENTS)) && \
	{ cat $(INSTALLED_DIRS) 2>/dev/null; printf '%s\n' $$new; } | grep . | LC_ALL=C sort -u >$(INSTALLED_DIRS).new && \
	mv $(INSTALLED_DIRS).new $(INSTALLED_DIRS)

# Children sort after their parents: in reverse, each goes before its parent.
uninstall:
	@created=$$(cat $(INSTALLED_DIRS) 2>/dev/null); rm -f $(INSTALLED_DIRS); \
	$(MAKE) --no-print-directory $(addprefix uninstall-,$(INSTALL_COMPONENTS)) && \
	for d in $$(printf '%s\n' $$created | LC_ALL=C sort -r); do rmdir "$(DESTDIR)$$d" 2>/dev/null || :; done

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

install-quick:
	$(INSTALL) -D -m 0755 tools/ptun-quick/ptun-quick $(DESTDIR)$(SBINDIR)/ptun-quick
	$(INSTALL) -D -m 0644 tools/ptun-quick/ptun-quick.8 $(DESTDIR)$(MANDIR)/man8/ptun-quick.8
	$(INSTALL) -D -m 0644 tools/ptun-quick/completion.bash $(DESTDIR)$(BASHCOMPDIR)/ptun-quick
	$(INSTALL) -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/ptun

uninstall-quick:
	rm -f $(DESTDIR)$(SBINDIR)/ptun-quick $(DESTDIR)$(MANDIR)/man8/ptun-quick.8 \
		$(DESTDIR)$(BASHCOMPDIR)/ptun-quick
	-rmdir $(DESTDIR)$(SYSCONFDIR)/ptun 2>/dev/null

# The unit and the hooks name the installed programs.  The hooks live under
# SYSCONFDIR whatever the PREFIX.
at_sbindir = sed 's|@SBINDIR@|$(SBINDIR)|g'
HOOKS := $(DESTDIR)$(SYSCONFDIR)/network/if-pre-up.d/ptun \
	 $(DESTDIR)$(SYSCONFDIR)/network/if-post-down.d/ptun

install-boot:
	$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR) $(dir $(HOOKS))
	$(at_sbindir) tools/systemd/ptun-quick@.service >$(DESTDIR)$(SYSTEMDUNITDIR)/ptun-quick@.service
	$(at_sbindir) tools/ifupdown/if-pre-up.sh >$(word 1,$(HOOKS))
	$(at_sbindir) tools/ifupdown/if-post-down.sh >$(word 2,$(HOOKS))
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/ptun-quick@.service
	chmod 0755 $(HOOKS)

uninstall-boot:
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/ptun-quick@.service $(HOOKS)

# DKMS builds from /usr/src/ptun-VERSION: the module's sources only.
VERSION := $(shell sed -n 's/.*PTUNCTL_VERSION "\(.*\)"/\1/p' tools/ptunctl/version.h)
DKMS_SOURCETREE ?= /usr/src
DKMS_SRC = $(DESTDIR)$(DKMS_SOURCETREE)/ptun-$(VERSION)
DKMS_KERNELS ?= $(shell uname -r)
DKMS_FLAGS ?=
dkms = dkms $(1) -m ptun -v $(VERSION) --sourcetree $(DKMS_SOURCETREE) $(DKMS_FLAGS)

dkms-install:
	@command -v dkms >/dev/null || { echo "dkms-install: no dkms: apt-get install dkms" >&2; exit 1; }
	-$(call dkms,remove) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	$(INSTALL) -d $(DKMS_SRC)/kmod/selftest $(DKMS_SRC)/uapi/linux
	$(INSTALL) -m 0644 Kbuild $(DKMS_SRC)/
	$(INSTALL) -m 0644 kmod/Kbuild kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	$(INSTALL) -m 0644 kmod/selftest/*.c $(DKMS_SRC)/kmod/selftest/
	$(INSTALL) -m 0644 uapi/linux/ptun.h $(DKMS_SRC)/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	@# With DESTDIR (a package being built), only the files.
	$(if $(DESTDIR),,$(call dkms,add))
	$(if $(DESTDIR),,for k in $(DKMS_KERNELS); do $(call dkms,install) -k $$k || exit 1; done)

dkms-uninstall:
	-$(call dkms,remove) --all
	rm -rf $(DKMS_SRC)

# Debian packages, ptun-dkms and ptun-tools, built by dpkg-buildpackage from
# a copy of the tree (git's files, or all but build/) in build/deb/.
DEB_TREE = build/deb/ptun-$(VERSION)
deb:
	@dpkg-checkbuilddeps debian/control || \
		{ echo "deb: apt-get install the packages named above" >&2; exit 1; }
	rm -rf build/deb
	mkdir -p $(DEB_TREE)
	{ git ls-files -co --exclude-standard 2>/dev/null || \
		find . -path ./build -prune -o -path ./.git -prune -o -type f -print; } | \
		while read -r f; do [ -f "$$f" ] && echo "$$f"; done | \
		tar -cf - --no-recursion -T - | tar -xf - -C $(DEB_TREE)
	cd $(DEB_TREE) && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

check: deps
	@selftests/check

check-full: deps
	@selftests/check -f

check-debug: deps
	@selftests/check -a -k 6.1-debug

demo: deps tools
	selftests/demo

# ptun against WireGuard, figures and a chart; not part of check.  On 6.1
# unless KVER is given (make bench KVER=7.3: against that kernel's WireGuard).
bench: deps tools
	@dpkg-query -W -f='$${Status}' python3-matplotlib 2>/dev/null | grep -q 'ok installed' || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-matplotlib
	selftests/bench/run $(if $(filter command line,$(origin KVER)),-k $(KVER))

# Counting drops costs nothing measurable: the commit that added the
# counters against its parent, rounds alternating in one guest.
bench-counters: deps tools
	PTUN_BENCH_ROUNDS=$${PTUN_BENCH_ROUNDS:-5} selftests/bench/compare 3718f9c^ 3718f9c

# 50,000 peers in ptun and in WireGuard, in the same VM run; not part of check.
bench-scale: deps tools
	selftests/bench/scale

clean:
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order \
		.*.cmd Module.symvers modules.order
	$(MAKE) -C tools/ptunctl clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/fuzz clean
	$(MAKE) -C selftests/flood clean
	$(MAKE) -C selftests/faults clean
	rm -rf build

.PHONY: all kmod tools deb module-for debug-module-for module-path debug-module-path deps check check-full check-debug demo bench bench-counters bench-scale clean install uninstall \
	$(addprefix install-,$(INSTALL_COMPONENTS)) $(addprefix uninstall-,$(INSTALL_COMPONENTS)) \
	dkms-install dkms-uninstall
