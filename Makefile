EXTENSION = sqii
MODULE_big = sqii
OBJS = src/tally.o src/tally_agg.o

DATA = $(wildcard sql/sqii--*.sql)

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --outputdir=test/out

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

src/*.o: src/sqii.h
