# SPDX-License-Identifier: MIT
# Build rules for a step: its Makefile sets PROGS (one .c file per program)
# and includes this file through COMMON, which points at common/.  Copy a
# step directory beside the others and it builds as it is.
COMMON ?= ../common
LIB = $(COMMON)/libvpnlab.a

include $(COMMON)/build.mk

all: $(PROGS)

$(PROGS): %: %.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Always ask common/ whether the library is up to date.
$(LIB): FORCE
	$(MAKE) -C $(COMMON) libvpnlab.a

clean:
	rm -f $(PROGS) *.o *.d $(FLAGS_STAMP)

.PHONY: all clean FORCE
-include $(PROGS:=.d)
