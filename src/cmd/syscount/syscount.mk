# The system call table that syscount and hist name calls with, generated from the C
# library's kernel headers for the build architecture (included by the Makefile).

SYSCALL_NAMES := $(BUILD)/syscall_names.gen.h

ifneq ($(V),1)
$(SYSCALL_NAMES): Q = @echo "  GEN     $@";
endif

$(SYSCALL_NAMES): src/cmd/syscount/gen-syscall-names.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)src/cmd/syscount/gen-syscall-names.sh "$(CC)" > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/cmd/syscount/syscalls.o: $(SYSCALL_NAMES)
