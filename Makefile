# oomwarden build. `make` builds build/oomwarden; `make test` installs what is missing,
# builds and runs every test; `make run` builds and runs the daemon. V=1 shows commands.

OUT		:= build
VERSION		:= 0.1.0
CC		?= cc
CLANG		?= clang
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
CPPFLAGS	+= -D_GNU_SOURCE -Iinclude -I$(OUT) -DOW_VERSION='"$(VERSION)"'
# libcurl is not linked: the alert sender child dlopen()s it (include/curl_dl.h).
LDLIBS		+= -lbpf -lelf -lz -lcjson -lm -pthread
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -I$(OUT)

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS	:= $(wildcard userspace/*.c)
USER_OBJS	:= $(patsubst userspace/%.c,$(OUT)/obj/%.o,$(USER_SRCS))
LIB_OBJS	:= $(filter-out $(OUT)/obj/main.o,$(USER_OBJS))
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
# Test helpers linked into every unit test and into the tools of tests/tools/.
TEST_LIB_SRCS	:= $(wildcard tests/lib/*.c)
WORKLOAD	:= $(OUT)/owload
PROM_LINT	:= $(OUT)/prom-lint

.PHONY: all deps run test unit e2e bench clean format format-check fallback-check
.DELETE_ON_ERROR:

all: $(OUT)/oomwarden $(WORKLOAD) $(PROM_LINT)

$(OUT) $(OUT)/bpf $(OUT)/obj $(OUT)/tests:
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

$(OUT)/obj/%.o: userspace/%.c $(wildcard include/*.h) $(OUT)/oomwarden.skel.h | $(OUT)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

$(OUT)/oomwarden: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(WORKLOAD): tests/workload/owload.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $< -o $@

# The exposition-format checker the e2e tests run over the daemon's metrics file.
$(PROM_LINT): tests/tools/prom-lint.c $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) $(WARN) $< $(TEST_LIB_SRCS) -lm -o $@

$(OUT)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS) $(TEST_LIB_SRCS) $(wildcard tests/lib/*.h) \
		| $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) $(WARN) \
		-DOW_FIXTURES='"$(CURDIR)/tests/fixtures"' \
		$< $(TEST_LIB_SRCS) $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# Proves the vendored header is enough to build the BPF side on a machine without BTF.
fallback-check: | $(OUT)
	$(Q)mkdir -p $(OUT)/fallback/bpf
	$(Q)cp $(VMLINUX_FALLBACK) $(OUT)/fallback/vmlinux.h
	$(Q)for f in $(BPF_SRCS); do \
		$(CLANG) $(BPF_CFLAGS) -I$(OUT)/fallback -c $$f \
			-o $(OUT)/fallback/bpf/$$(basename $$f .c).o || exit 1; \
	done
	$(Q)echo "fallback-check: bpf/ builds against $(VMLINUX_FALLBACK)"

deps:
	$(Q)scripts/deps.sh

unit: $(UNIT_BINS)
	$(Q)scripts/run-unit.sh $(UNIT_BINS)

e2e: all
	$(Q)tests/alert/run.sh
	$(Q)tests/e2e/churn.sh
	$(Q)tests/e2e/alerts.sh
	$(Q)tests/e2e/run.sh
	$(Q)tests/e2e/metrics.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all fallback-check
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory e2e
	$(Q)$(MAKE) --no-print-directory test-vm

# The e2e scenarios in qemu guests on Debian's 6.1 and 6.12 kernels, cgroup v2 (tests/vm/).
.PHONY: test-vm
test-vm: all
	$(Q)tests/vm/run.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(OUT)/oomwarden run $(ARGS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/bench.sh

format:
	$(Q)clang-format -i $(USER_SRCS) $(wildcard include/*.h) $(BPF_SRCS) \
		tests/unit/*.c tests/workload/*.c tests/lib/*.[ch] tests/tools/*.c

format-check:
	$(Q)clang-format --dry-run --Werror $(USER_SRCS) $(wildcard include/*.h) $(BPF_SRCS)

clean:
	$(Q)rm -rf $(OUT)
