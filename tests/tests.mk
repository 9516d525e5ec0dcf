# The test binaries and the one test command (`make test`), included by the Makefile.

TEST_LIB_SRCS  := $(wildcard tests/lib/*.c)
UNIT_SRCS      := $(wildcard tests/unit/*.c)
E2E_SRCS       := $(wildcard tests/e2e/*.c)
TEST_CFLAGS    := $(ALL_CFLAGS) -Itests/lib -Itests/e2e

# Unit tests may include a command's user-space sources (src/cmd/*/*.c) directly.
$(BUILD)/sysnoop-unit: $(UNIT_SRCS) $(TEST_LIB_SRCS) $(RT_OBJS) $(wildcard tests/lib/*.h) \
		       $(CMD_SRCS) $(wildcard src/cmd/*/*.h)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(UNIT_SRCS) $(TEST_LIB_SRCS) $(RT_OBJS) $(LDFLAGS) $(LDLIBS) -lm

# Static too, so the same driver runs inside the kernel-matrix guests.
$(BUILD)/sysnoop-e2e: $(E2E_SRCS) $(TEST_LIB_SRCS) $(wildcard tests/e2e/*.h tests/lib/*.h) | $(DEPS_STAMP)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(E2E_SRCS) $(TEST_LIB_SRCS) $(LDFLAGS) $(LDLIBS)

unit: $(BUILD)/sysnoop-unit
	$(BUILD)/sysnoop-unit

e2e: $(BUILD)/sysnoop $(BUILD)/sysnoop-e2e
	$(BUILD)/sysnoop-e2e

# The whole suite: unit, end-to-end, sanitizers, kernel matrix; ends with "N passed, N failed".
test: $(BUILD)/sysnoop $(BUILD)/sysnoop-unit $(BUILD)/sysnoop-e2e
	@tests/run

include tests/sanitize.mk
