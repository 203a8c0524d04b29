# SPDX-License-Identifier: MIT
# Compiler settings shared by common/ and every step.
#   make            optimised build with debug symbols
#   make SAN=1      AddressSanitizer + UndefinedBehaviorSanitizer
#   make WERROR=1   warnings are errors (CI and the kit's own tests)
CFLAGS ?= -O2 -g
# -Wno-unused-parameter: as in the Linux kernel; a template's functions
# take parameters that only the student's code will use.
KIT_CFLAGS = -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I$(COMMON) \
	     -I$(COMMON)/fast -I$(COMMON)/step4 \
	     -MMD -MP
ifeq ($(WERROR),1)
KIT_CFLAGS += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
endif
ALL_CFLAGS = $(KIT_CFLAGS) $(SANFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

# Objects remember the flags they were built with: a change of flags
# (SAN=1, say) rebuilds everything instead of mixing builds.
FLAGS_STAMP = .build-flags
BUILD_FLAGS = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)
$(shell echo '$(BUILD_FLAGS)' | cmp -s - $(FLAGS_STAMP) || \
	echo '$(BUILD_FLAGS)' > $(FLAGS_STAMP))

$(FLAGS_STAMP): ;

# (What includes this file has "all" first; the rules here are not it.)
.DEFAULT_GOAL := all

# The lab's addresses and port, the programs' defaults (opt.h): made from
# common/topology, where each is written once.
$(COMMON)/topology.h: $(COMMON)/topology $(COMMON)/topology-h
	awk -f $(COMMON)/topology-h $(COMMON)/topology >$@

%.o: %.c $(FLAGS_STAMP) | $(COMMON)/topology.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
