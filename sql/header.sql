-- sqii install script, assembled by the Makefile from sql/*.sql (one file per
-- concept).  Edit those files, not the assembled script.
\echo Use "CREATE EXTENSION sqii" to load this file. \quit
