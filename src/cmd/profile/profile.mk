# The programs profile's end-to-end tests sample: a CPU burner built as most programs are
# (a dynamically linked PIE) with symbols and frame pointers, and a stripped copy of it.
PROFILE_PROGS := $(BUILD)/progs/busy $(BUILD)/progs/busy-stripped
STRIP         ?= strip

ifneq ($(V),1)
$(BUILD)/progs/%: Q = @echo "  PROG    $@";
endif

$(BUILD)/progs/busy: tests/e2e/progs/busy.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) -O1 -g -fno-omit-frame-pointer -o $@ $<

$(BUILD)/progs/busy-stripped: $(BUILD)/progs/busy
	$(Q)$(STRIP) -o $@ $<

all test e2e: $(PROFILE_PROGS)
