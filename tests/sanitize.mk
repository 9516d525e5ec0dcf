# Sanitizer and fuzzing builds, included by tests/tests.mk.
#
# `make sanitize` builds sysnoop, the unit tests and the end-to-end driver with
# AddressSanitizer and UndefinedBehaviorSanitizer under build/asan/ (dynamically linked:
# ASan needs it) and runs them through tests/stages/sanitize. `make fuzz` builds the
# libFuzzer targets of tests/fuzz/ under build/fuzz/ and runs tests/stages/fuzz.
# Both use clang: libFuzzer is clang's, and one compiler keeps the two builds alike.

SAN_CC      ?= clang
SAN_DIR     := $(BUILD)/asan
FUZZ_DIR    := $(BUILD)/fuzz
# Warnings are gcc's to gate (the normal build); clang's own extra ones are shown, but do
# not keep these runtime checks from running.
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -g -Wno-error
# A fuzzer must stop at the first report, whatever UBSAN_OPTIONS says.
FUZZ_SAN    := address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g \
	       -Wno-error
SAN_LDLIBS  := -lbpf -lelf -lz

SAN_APP_OBJS  := $(patsubst src/%.c,$(SAN_DIR)/obj/%.o,$(APP_SRCS))
SAN_RT_OBJS   := $(patsubst src/%.c,$(SAN_DIR)/obj/%.o,$(RT_SRCS))
# The fuzz targets take every command object; main.c only for its command table, with its
# main() renamed so libFuzzer's can run.
FUZZ_APP_OBJS := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(APP_SRCS))
FUZZ_SRCS     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRCS))

SAN_HDRS := tests/sanitize.mk $(wildcard src/runtime/*.h src/cmd/*/*.h) src/bpf/sn_abi.h \
	    $(BUILD)/commands.gen.h $(SKELS)

.PHONY: asan sanitize fuzz-build fuzz

$(SAN_DIR)/obj/%.o: src/%.c $(SAN_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(SAN_CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Isrc/cmd/$(call cmd_of,$*) \
		-I$(BUILD)/skel/$(call cmd_of,$*) -c $< -o $@

$(FUZZ_DIR)/obj/%.o: src/%.c $(SAN_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(SAN_CC) $(ALL_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
		-Isrc/cmd/$(call cmd_of,$*) -I$(BUILD)/skel/$(call cmd_of,$*) \
		$(if $(filter main,$*),-Dmain=sn_main_unused) -c $< -o $@

ifneq ($(V),1)
$(SAN_DIR)/obj/%.o: Q = @echo "  ASAN    $@";
$(FUZZ_DIR)/obj/%.o: Q = @echo "  FUZZCC  $@";
endif

$(SAN_DIR)/sysnoop: $(SAN_APP_OBJS)
	$(Q)$(SAN_CC) $(SAN_FLAGS) -o $@ $^ $(SAN_LDLIBS)

$(SAN_DIR)/sysnoop-unit: $(UNIT_SRCS) $(TEST_LIB_SRCS) $(SAN_RT_OBJS) $(wildcard tests/lib/*.h)
	$(Q)$(SAN_CC) $(TEST_CFLAGS) $(SAN_FLAGS) -o $@ $(UNIT_SRCS) $(TEST_LIB_SRCS) \
		$(SAN_RT_OBJS) $(SAN_LDLIBS) -lm

$(SAN_DIR)/sysnoop-e2e: $(E2E_SRCS) $(TEST_LIB_SRCS) $(wildcard tests/e2e/*.h tests/lib/*.h) \
			| $(DEPS_STAMP)
	$(Q)$(SAN_CC) $(TEST_CFLAGS) $(SAN_FLAGS) -o $@ $(E2E_SRCS) $(TEST_LIB_SRCS) $(SAN_LDLIBS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(TEST_LIB_SRCS) \
		    $(FUZZ_APP_OBJS)
	$(Q)$(SAN_CC) $(TEST_CFLAGS) -Itests/fuzz -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
		tests/fuzz/fuzz.c $(TEST_LIB_SRCS) $(FUZZ_APP_OBJS) $(SAN_LDLIBS) -lm

asan: $(SAN_DIR)/sysnoop $(SAN_DIR)/sysnoop-unit $(SAN_DIR)/sysnoop-e2e

sanitize: asan
	@tests/stages/sanitize

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/stages/fuzz
