# oomwarden build. `make` builds build/oomwarden; `make test` installs what is missing,
# builds and runs every test; `make run` builds and runs the daemon. V=1 shows commands.

OUT		:= build
VERSION		:= 0.1.0
CC		?= cc
CLANG		?= clang
AWK		?= awk
BPFTOOL		?= bpftool
ARCH		:= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX_BTF	?= /sys/kernel/btf/vmlinux
# vmlinux.h comes from the running kernel's BTF when there is one; otherwise from the
# vendored fallback, which declares only what bpf/ uses (the programs read kernel structs
# through local CO-RE flavours, so they need no full vmlinux.h).
VMLINUX_FALLBACK := bpf/vmlinux_fallback.h

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN		:= -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS		?= -O2 -g
# userspace/ is one folder per subsystem (docs/ARCHITECTURE.md); each header sits beside its
# source, and include/ holds only what bpf/ shares with userspace.
USER_DIRS	:= core lib sys config daemon alerts metrics diagnose
CPPFLAGS	+= -D_GNU_SOURCE -Iinclude -I$(OUT) $(addprefix -Iuserspace/,$(USER_DIRS)) \
		   -DOW_VERSION='"$(VERSION)"'
# Each object depends on the headers it includes, as the compiler saw them.
DEPFLAGS	= -MMD -MP
# libcurl is not linked: the alert sender child dlopen()s it (userspace/alerts/curl_dl.h).
LDLIBS		+= -lbpf -lelf -lz -lcjson -linih -lm -pthread
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -I$(OUT)

# maps.bpf.c first: an object linked before the one defining the maps its programs use makes
# `bpftool gen object` fail ("map relo failed to find map for section '.maps'").
BPF_SRCS	:= bpf/maps.bpf.c $(filter-out bpf/maps.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS	:= userspace/main.c $(wildcard $(addprefix userspace/,$(addsuffix /*.c,$(USER_DIRS))))
USER_HDRS	:= $(wildcard include/*.h $(addprefix userspace/,$(addsuffix /*.h,$(USER_DIRS))))
USER_OBJS	:= $(patsubst userspace/%.c,$(OUT)/obj/%.o,$(USER_SRCS))
LIB_OBJS	:= $(filter-out $(OUT)/obj/main.o,$(USER_OBJS))
# The pure core and the small library under it: no libbpf, libcurl or cJSON (their tests link
# this archive alone, so the linker says when the core grows I/O).
CORE_OBJS	:= $(filter $(OUT)/obj/core/% $(OUT)/obj/lib/%,$(USER_OBJS))
CORE_LIB	:= $(OUT)/libowcore.a
UNIT_SRCS	:= $(wildcard tests/unit/*/test_*.c)
UNIT_BINS	:= $(patsubst %.c,$(OUT)/tests/%,$(notdir $(UNIT_SRCS)))
CORE_TESTS	:= $(patsubst %.c,$(OUT)/tests/%,$(notdir $(wildcard tests/unit/core/test_*.c \
		   tests/unit/lib/test_*.c)))
vpath test_%.c $(addprefix tests/unit/,$(USER_DIRS))
# Test helpers linked into every unit test and into the tools of tests/tools/.
TEST_LIB_SRCS	:= $(wildcard tests/lib/*.c)
WORKLOAD	:= $(OUT)/owload
# diagnose's test subjects: frame pointers so the kernel can walk their stacks; one stripped.
LEAKER		:= $(OUT)/owleak $(OUT)/owleak-stripped
THREADS		:= $(OUT)/owthreads
# Processes for test_symbolize to read: a PIE, its `strip -s` copy, and a non-PIE build.
SYM_DIR		:= $(OUT)/tests/symbolize
SYM_TARGETS	:= $(SYM_DIR)/target $(SYM_DIR)/target-stripped $(SYM_DIR)/target-nopie
SYM_CFLAGS	:= -O1 -g -fno-omit-frame-pointer -fno-inline
# make install / uninstall. systemd reads units from /usr/local/lib/systemd/system and
# /usr/lib/systemd/system, so the unit goes under PREFIX; with another PREFIX (/opt/...), set
# UNITDIR=/etc/systemd/system. The daemon reads /etc/oomwarden.conf whatever the PREFIX.
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
CONFFILE	:= /etc/oomwarden.conf
# The man page and the --help text come from one source (docs/oomwarden.8.in).
DOC_SRC		:= docs/oomwarden.8.in
GENDOC		:= scripts/gendoc.awk
MANPAGE		:= $(OUT)/oomwarden.8
PROM_LINT	:= $(OUT)/prom-lint

.PHONY: all deps run test unit e2e bench clean format format-check fallback-check
.PHONY: install uninstall install-check
.DELETE_ON_ERROR:

all: $(OUT)/oomwarden $(WORKLOAD) $(LEAKER) $(THREADS) $(MANPAGE) $(PROM_LINT)

$(OUT) $(OUT)/bpf $(OUT)/obj $(OUT)/tests $(SYM_DIR):
	$(Q)mkdir -p $@

$(OUT)/vmlinux.h: | $(OUT)
	$(call msg,GEN,$@)
	$(Q)if [ -r $(VMLINUX_BTF) ]; then \
		$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@; \
	else \
		cp $(VMLINUX_FALLBACK) $@; \
	fi

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard bpf/*.h) include/ow_events.h | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# All programs link into one object so they share maps and one skeleton.
$(OUT)/oomwarden.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/oomwarden.skel.h: $(OUT)/oomwarden.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name oomwarden_bpf > $@

# diagnose --stacks: uprobes the daemon never loads, in their own object and skeleton.
$(OUT)/bpf/alloc.bpf.o: bpf/diag/alloc.bpf.c $(OUT)/vmlinux.h include/ow_alloc.h | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/alloc.skel.h: $(OUT)/bpf/alloc.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ow_alloc_bpf > $@


$(OUT)/usage.h: $(DOC_SRC) $(GENDOC) | $(OUT)
	$(call msg,GEN,$@)
	$(Q)$(AWK) -v out=usage -f $(GENDOC) $(DOC_SRC) > $@

$(MANPAGE): $(DOC_SRC) $(GENDOC) Makefile | $(OUT)
	$(call msg,GEN,$@)
	$(Q)$(AWK) -v out=man -v version=$(VERSION) -f $(GENDOC) $(DOC_SRC) > $@

# Generated headers: only the objects that include them wait for them (the rest of the
# dependencies come from -MMD).
$(OUT)/obj/config/options.o: $(OUT)/usage.h
$(OUT)/obj/sys/tracer.o $(OUT)/obj/sys/tracer_sight.o: $(OUT)/oomwarden.skel.h
$(OUT)/obj/diagnose/alloc_tracer.o: $(OUT)/alloc.skel.h

$(OUT)/obj/%.o: userspace/%.c | $(OUT)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

# core/ and lib/ see only each other and include/: an #include of sys/ or daemon/ there fails
# to compile, as a call into them fails to link in their tests.
CORE_CPPFLAGS	:= -D_GNU_SOURCE -Iinclude -Iuserspace/core -Iuserspace/lib
$(CORE_OBJS) $(CORE_TESTS): CPPFLAGS = $(CORE_CPPFLAGS)

$(CORE_LIB): $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

-include $(USER_OBJS:.o=.d) $(UNIT_BINS:=.d)

$(OUT)/oomwarden: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/owleak: tests/workload/owleak.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -O2 -g -fno-omit-frame-pointer $(WARN) $< -o $@

$(OUT)/owleak-stripped: $(OUT)/owleak
	$(call msg,STRIP,$@)
	$(Q)strip -s -o $@ $<

$(WORKLOAD): tests/workload/owload.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< -o $@

$(THREADS): tests/workload/owthreads.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -pthread $< -o $@

# The daemon's cgroup scan, timed over a real tree (the scale part of bench-compare).
BENCH_SCAN	:= $(OUT)/bench-scan
$(BENCH_SCAN): bench/scan.c $(LIB_OBJS) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< $(LIB_OBJS) $(LDLIBS) -o $@

# The exposition-format checker the e2e tests run over the daemon's metrics file.
$(PROM_LINT): tests/tools/prom-lint.c $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) $(WARN) $< $(TEST_LIB_SRCS) -lm -o $@

UNIT_CPPFLAGS	= $(CPPFLAGS) -Itests/lib -DOW_FIXTURES='"$(CURDIR)/tests/fixtures"' \
		  -DOW_SYM_TARGETS='"$(abspath $(SYM_DIR))"' -DOW_MANPAGE='"$(abspath $(MANPAGE))"'

# The core's and lib's tests link the core archive alone: no libbpf, no cJSON.
$(CORE_TESTS): $(OUT)/tests/test_%: test_%.c $(CORE_LIB) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(UNIT_CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(WARN) $< $(CORE_LIB) -lm -lcmocka -o $@

$(OUT)/tests/test_%: test_%.c $(LIB_OBJS) $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) \
		| $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(UNIT_CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(WARN) \
		$< $(TEST_LIB_SRCS) $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

$(SYM_DIR)/target: tests/symbolize/target.c | $(SYM_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(SYM_CFLAGS) $(WARN) -fPIE -pie $< -o $@

$(SYM_DIR)/target-nopie: tests/symbolize/target.c | $(SYM_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(SYM_CFLAGS) $(WARN) -fno-pie -no-pie $< -o $@

$(SYM_DIR)/target-stripped: $(SYM_DIR)/target
	$(call msg,STRIP,$@)
	$(Q)strip -s $< -o $@

# test_usage holds the man page against --help and the parser.
$(OUT)/tests/test_usage: $(MANPAGE)

# Proves the vendored header is enough to build the BPF side on a machine without BTF. Without
# -I$(OUT): "vmlinux.h" would resolve to the generated header there, and prove nothing.
fallback-check: | $(OUT)
	$(Q)mkdir -p $(OUT)/fallback/bpf
	$(Q)cp $(VMLINUX_FALLBACK) $(OUT)/fallback/vmlinux.h
	$(Q)for f in $(BPF_SRCS) bpf/diag/alloc.bpf.c; do \
		$(CLANG) $(filter-out -I$(OUT),$(BPF_CFLAGS)) -I$(OUT)/fallback -c $$f \
			-o $(OUT)/fallback/bpf/$$(basename $$f .c).o || exit 1; \
	done
	$(Q)echo "fallback-check: bpf/ builds against $(VMLINUX_FALLBACK)"

deps:
	$(Q)scripts/deps.sh

.PHONY: deps-test deploy-check
deps-test:
	$(Q)scripts/deps.sh test

# The node agent's OCI image from this build (scripts/image.sh): localhost/oomwarden:VERSION and
# $(OUT)/oomwarden-image.tar. image-check runs it as the DaemonSet would (tests/image/run.sh).
.PHONY: image image-check
image: $(OUT)/oomwarden
	$(Q)scripts/image.sh $(OUT)

image-check: image
	$(Q)tests/image/run.sh

# What deploy/ ships (Prometheus rules, Grafana dashboard, Kubernetes manifests), checked by
# the tools that read it (tests/deploy/run.sh).
deploy-check:
	$(Q)tests/deploy/run.sh

unit: $(UNIT_BINS) $(SYM_TARGETS)
	$(Q)scripts/run-unit.sh $(UNIT_BINS)

e2e: all
	$(Q)scripts/timed.sh alert/run tests/alert/run.sh
	$(Q)scripts/timed.sh churn tests/e2e/churn.sh
	$(Q)scripts/timed.sh detach tests/e2e/detach.sh
	$(Q)scripts/timed.sh alerts tests/e2e/alerts.sh
	$(Q)scripts/timed.sh e2e-run tests/e2e/run.sh
	$(Q)scripts/timed.sh diagnose tests/e2e/diagnose.sh
	$(Q)scripts/timed.sh reload tests/e2e/reload.sh
	$(Q)scripts/timed.sh sdnotify tests/e2e/sdnotify.sh
	$(Q)scripts/timed.sh manager tests/e2e/manager.sh
	$(Q)scripts/timed.sh container tests/e2e/container.sh
	$(Q)scripts/timed.sh grace tests/e2e/grace.sh
	$(Q)scripts/timed.sh metrics tests/e2e/metrics.sh
	$(Q)scripts/timed.sh kube-events tests/e2e/kube_events.sh
	$(Q)scripts/timed.sh hostile tests/e2e/hostile.sh

test: deps-test
	$(Q)scripts/timed.sh all+fallback-check $(MAKE) --no-print-directory all fallback-check
	$(Q)scripts/timed.sh unit $(MAKE) --no-print-directory unit
	$(Q)scripts/timed.sh analyze+size-check $(MAKE) --no-print-directory analyze size-check
	$(Q)scripts/timed.sh fuzz-smoke $(MAKE) --no-print-directory fuzz-smoke
	$(Q)scripts/timed.sh asan-test $(MAKE) --no-print-directory asan-test
	$(Q)scripts/timed.sh install-check $(MAKE) --no-print-directory install-check
	$(Q)scripts/timed.sh deploy-check $(MAKE) --no-print-directory deploy-check
	$(Q)scripts/timed.sh image-check $(MAKE) --no-print-directory image-check
	$(Q)scripts/timed.sh e2e $(MAKE) --no-print-directory e2e
	$(Q)scripts/timed.sh test-vm $(MAKE) --no-print-directory test-vm

# The e2e scenarios in qemu guests on Debian's 6.1 and 6.12 kernels, cgroup v2 (tests/vm/).
.PHONY: test-vm
test-vm: all
	$(Q)tests/vm/run.sh

# The unit is written at every install: its ExecStart follows SBINDIR.
install: $(OUT)/oomwarden $(MANPAGE)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' etc/oomwarden.service.in > $(OUT)/oomwarden.service
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(dir $(CONFFILE))
	$(Q)install -m 0755 $(OUT)/oomwarden $(DESTDIR)$(SBINDIR)/oomwarden
	$(Q)install -m 0644 $(OUT)/oomwarden.service $(DESTDIR)$(UNITDIR)/oomwarden.service
	$(Q)install -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man8/oomwarden.8
	$(Q)scripts/install-config.sh install etc/oomwarden.conf $(DESTDIR)$(CONFFILE)
	$(Q)echo "installed; to start it: systemctl daemon-reload && systemctl enable --now oomwarden"

uninstall:
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/oomwarden $(DESTDIR)$(UNITDIR)/oomwarden.service \
		$(DESTDIR)$(MANDIR)/man8/oomwarden.8
	$(Q)scripts/install-config.sh uninstall etc/oomwarden.conf $(DESTDIR)$(CONFFILE)
	$(Q)echo "uninstalled; if the service was enabled: systemctl disable --now oomwarden"

# Install into a temporary DESTDIR and uninstall, the unit through systemd-analyze verify, the
# man page through groff (tests/install/run.sh).
install-check: all
	$(Q)tests/install/run.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(OUT)/oomwarden run $(ARGS)

# make bench: oomwarden's own costs (bench/bench.sh), then the comparison with the kernel
# OOM killer, earlyoom, nohang and PM2 in memcgs (bench/compare.sh), then with no
# cgroup limit and the drain under a cgroup v2 limit in qemu guests (bench/compare/vm.sh),
# then the sight of the whole charge (bench/sight.sh); all four write BENCHMARKS.md.
# A long run of everything the daemon keeps a record of coming and going, its holdings sampled:
# nothing may grow with time (tests/soak/soak.sh; SOAK_S seconds, default 600). Not in `test`.
.PHONY: soak
soak: all
	$(Q)tests/soak/soak.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/bench.sh
	$(Q)bench/compare.sh
	$(Q)bench/compare/vm.sh
	$(Q)bench/sight.sh

# What watching the whole charge of every limited cgroup costs, and how soon tmpfs growth is
# seen (issue 17).
.PHONY: bench-sight
bench-sight: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/sight.sh

# How long attaching and detaching the rss_stat program takes (issue 17 item 3: attached only
# while some cgroup is at risk), each flavour 200 times.
BENCH_ATTACH	:= $(OUT)/bench-attach-time
$(BENCH_ATTACH): bench/attach_time.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 $(WARN) $< -lbpf -o $@

.PHONY: bench-attach
bench-attach: all $(BENCH_ATTACH)
	$(Q)for p in rss_stat_btf rss_stat_raw; do echo "$$p:"; \
		$(BENCH_ATTACH) $(OUT)/oomwarden.bpf.o $$p 200 2>/dev/null || exit 1; done

.PHONY: bench-compare
bench-compare: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_SCAN)
	$(Q)bench/compare.sh

# The comparison with no cgroup limit (the whole machine runs out), and the drain under a
# cgroup v2 limit (oomwarden's brake), in qemu guests.
.PHONY: bench-vm
bench-vm: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/compare/vm.sh

format:
	$(Q)clang-format -i $(USER_SRCS) $(USER_HDRS) $(BPF_SRCS) bpf/diag/*.bpf.c \
		$(UNIT_SRCS) tests/workload/*.c tests/symbolize/*.c tests/lib/*.[ch] tests/tools/*.c \
		bench/*.c

format-check:
	$(Q)clang-format --dry-run --Werror $(USER_SRCS) $(USER_HDRS) $(BPF_SRCS) \
		bpf/diag/*.bpf.c bench/*.c

clean:
	$(Q)rm -rf $(OUT)

# ---- Sanitizers, fuzzers, static analysis (issue 14) ----
# make asan-test: an ASan + UBSan build in $(ASAN_OUT) (BPF skeleton included), its unit tests
# and the e2e scripts that exercise the daemon most, with that daemon (scripts/asan-test.sh).
ASAN_OUT	:= $(OUT)/asan
SAN_FLAGS	:= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		   -fno-sanitize-recover=all

.PHONY: asan asan-build asan-test
asan-build:
	$(Q)$(MAKE) --no-print-directory OUT=$(ASAN_OUT) CFLAGS='$(SAN_FLAGS)' sanitized-bins

# Called in the sub-make above (OUT=$(ASAN_OUT)).
.PHONY: sanitized-bins
sanitized-bins: $(OUT)/oomwarden $(UNIT_BINS) $(SYM_TARGETS) $(MANPAGE)

asan asan-test: all asan-build
	$(Q)scripts/asan-test.sh $(ASAN_OUT)

# make fuzz / fuzz-smoke: libFuzzer harnesses (tests/fuzz/fuzz_*.c) of every parser of text a
# user or the kernel hands the daemon, built with clang in $(FUZZ_OUT); each runs FUZZ_SECONDS
# from its committed corpus (tests/fuzz/corpus/NAME/) via scripts/fuzz.sh.
FUZZ_OUT	:= $(OUT)/fuzz
FUZZ_CFLAGS	:= -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all
FUZZ_SECONDS	?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(OUT)/harness/%,$(FUZZ_SRCS))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-bins
fuzz-build:
	$(Q)$(MAKE) --no-print-directory OUT=$(FUZZ_OUT) CC=$(CLANG) CFLAGS='$(FUZZ_CFLAGS)' \
		fuzz-bins

# Called in the sub-make above (OUT=$(FUZZ_OUT)).
fuzz-bins: $(FUZZ_BINS)

$(OUT)/harness/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJS)
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fsanitize=fuzzer $< $(LIB_OBJS) $(LDLIBS) -o $@

fuzz: fuzz-build
	$(Q)scripts/fuzz.sh $(FUZZ_OUT) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	$(Q)scripts/fuzz.sh $(FUZZ_OUT) $(FUZZ_SMOKE_SECONDS)

# make analyze: cppcheck over userspace/, zero findings. Not checked: variableScope (kernel style
# declares at the top of a function), missing system headers (cppcheck does not read them).
# A false positive is suppressed inline (// cppcheck-suppress ID) under a comment saying why.
CPPCHECK	?= cppcheck
CPPCHECK_FLAGS	:= --enable=warning,style,performance,portability --std=c11 --inline-suppr \
		   --suppress=variableScope --include=scripts/cppcheck-macros.h -D_GNU_SOURCE \
		   -Iinclude -I$(OUT) $(addprefix -Iuserspace/,$(USER_DIRS)) -j2 --quiet --template='{file}:{line}: {severity}: {message} [{id}]'

# make size-check: no file of userspace/ over 700 lines, no function over 60 (issue 15).
.PHONY: size-check
size-check:
	$(Q)scripts/size-check.sh

.PHONY: analyze
analyze: $(OUT)/oomwarden.skel.h $(OUT)/alloc.skel.h $(OUT)/usage.h
	$(Q)$(CPPCHECK) $(CPPCHECK_FLAGS) userspace/ 2>$(OUT)/cppcheck.log; \
		n=$$(grep -c ': [a-z]*: ' $(OUT)/cppcheck.log); cat $(OUT)/cppcheck.log; \
		echo "analyze: $(words $(USER_SRCS)) files, $$n findings"; [ $$n -eq 0 ]
