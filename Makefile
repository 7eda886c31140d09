EXTENSION = sqii
MODULE_big = sqii
OBJS = src/tally.o src/tally_agg.o src/dashboard.o src/groups.o src/levels.o src/suppress.o

# The install script is assembled from one SQL file per concept, in this order.
SQL_PARTS = sql/header.sql sql/tally.sql sql/groups.sql sql/dashboard.sql sql/levels.sql sql/index.sql sql/privacy.sql
DATA_built = sqii--0.1.sql
DATA = $(wildcard sql/sqii--*--*.sql)

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --outputdir=test/out

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

src/*.o: src/sqii.h

sqii--0.1.sql: $(SQL_PARTS)
	cat $^ > $@
