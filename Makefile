EXTENSION = sqii
MODULE_big = sqii
OBJS = src/tally.o src/tally_agg.o src/dashboard.o src/groups.o src/levels.o src/suppress.o src/config.o \
       src/sqii_index.o src/readiness.o src/cells.o src/cell_apply.o

# Released scripts are never edited.  CREATE EXTENSION sqii runs the 0.1 install
# script and then each update script in turn, as PostgreSQL's contrib modules
# do, so a fresh install and an updated database follow the same path.
DATA = sql/sqii--0.1.sql sql/sqii--0.1--0.2.sql

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --outputdir=test/out

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

src/*.o: src/sqii.h
