# The programs profile's end-to-end tests sample: a CPU burner built as most programs are
# (a dynamically linked PIE) with symbols and frame pointers, and a stripped copy of it.
# Where they cannot run (the kernel-matrix guests have no libc), the tests run the same
# functions (progs/busy.h) in a child of the e2e driver, and skip what needs the files.
PROFILE_PROGS := $(BUILD)/progs/busy $(BUILD)/progs/busy-stripped
STRIP         ?= strip

ifneq ($(V),1)
$(BUILD)/progs/%: Q = @echo "  PROG    $@";
endif

$(BUILD)/progs/busy: tests/e2e/progs/busy.c tests/e2e/progs/busy.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) -O1 -g -fno-omit-frame-pointer -o $@ $<

$(BUILD)/progs/busy-stripped: $(BUILD)/progs/busy
	$(Q)$(STRIP) -o $@ $<

all test e2e: $(PROFILE_PROGS)
$(BUILD)/sysnoop-e2e: tests/e2e/progs/busy.h
