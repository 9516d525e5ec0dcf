# sysnoop: one static binary. `make` builds it (installing Debian packages first if any are
# missing); `make test` builds and runs the whole test suite.

VERSION    := 0.1.0
BUILD      := build
CC         ?= gcc
CLANG      ?= clang
BPFTOOL    ?= bpftool
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

# Every directory under src/cmd/ is a command: NAME.c, and NAME.bpf.c + NAME.h if it traces.
CMDS       := $(sort $(notdir $(wildcard src/cmd/*)))
BPF_SRCS   := $(wildcard src/cmd/*/*.bpf.c)
BPF_OBJS   := $(patsubst src/cmd/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst src/cmd/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))
RT_SRCS    := $(wildcard src/runtime/*.c)
CMD_SRCS   := $(filter-out %.bpf.c,$(wildcard src/cmd/*/*.c))
APP_SRCS   := src/main.c $(RT_SRCS) $(CMD_SRCS)
APP_OBJS   := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(APP_SRCS))
RT_OBJS    := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(RT_SRCS))

WARN       := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS     ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -DSN_VERSION='"$(VERSION)"' \
	      -Isrc -Isrc/bpf -I$(BUILD) -I$(BUILD)/skel
# libbpf, libelf and zlib linked in: the binary needs nothing but a BTF kernel.
LDLIBS     := -lbpf -lelf -lz
LDFLAGS    ?= -static
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Isrc/bpf -I$(BUILD) $(addprefix -Isrc/cmd/,$(CMDS))

DEPS_STAMP := $(BUILD)/.deps-ok

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
$(BUILD)/bpf/%.bpf.o: Q = @echo "  BPF     $@";
$(BUILD)/skel/%.skel.h: Q = @echo "  SKEL    $@";
$(BUILD)/obj/%.o: Q = @echo "  CC      $@";
endif

# The command a source belongs to: "exec" for cmd/exec/exec; empty for the runtime.
cmd_of = $(if $(filter cmd/%,$(1)),$(word 2,$(subst /, ,$(1))))

.PHONY: all test unit e2e clean deps format FORCE
.SECONDARY:
all: $(BUILD)/sysnoop

# Installs what is missing, once; the stamp keeps later builds from asking dpkg again.
$(DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@scripts/install-deps.sh
	@touch $@
deps: $(DEPS_STAMP)

# vmlinux.h comes from the build machine's own BTF: CO-RE relocates to any other kernel.
$(BUILD)/vmlinux.h: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# Rewritten only when the list changes, but checked every time, so a removed command goes.
$(BUILD)/commands.gen.h: FORCE | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@printf '%s\n' $(foreach c,$(CMDS),'SN_COMMAND($(c))') > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: src/cmd/%.bpf.c src/bpf/*.h $(wildcard src/cmd/*/*.h) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(wildcard src/runtime/*.h) src/bpf/sn_abi.h $(BUILD)/commands.gen.h \
		  $(SKELS) $(wildcard src/cmd/*/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/cmd/$(call cmd_of,$*) -I$(BUILD)/skel/$(call cmd_of,$*) -c $< -o $@

$(BUILD)/sysnoop: $(APP_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A command may bring its own rules (generated sources, test programs): src/cmd/NAME/*.mk.
-include $(wildcard src/cmd/*/*.mk)

include tests/tests.mk

format:
	clang-format -i $(APP_SRCS) $(BPF_SRCS) src/runtime/*.h src/bpf/*.h src/cmd/*/*.h

clean:
	rm -rf $(BUILD)
