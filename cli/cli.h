/*
 * cli.h -- the `gatehouse` command line: one cmd_<name>.c per subcommand, and the helpers they
 * share (options common to every command, opening the data folder, printing, dying).
 */
#ifndef GATEHOUSE_CLI_H
#define GATEHOUSE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <gatehouse/gatehouse.h>

struct cli_common {
    const char *data_dir; /* --data, $GATEHOUSE_DATA, or ./var */
    bool json;            /* --json */
};

/* Prints "gatehouse: <what>: <error message>" to stderr and exits 1. */
_Noreturn void cli_die(const char *what, gh_err err);
/* Prints "gatehouse: <message>" to stderr and exits 2 (usage errors). */
_Noreturn void cli_usage(const char *message);
/* The data folder from --data, $GATEHOUSE_DATA, or "./var". */
const char *cli_data_dir(const char *flag);
/* Opens the data folder's context or dies with a one-line message. */
struct gh_ctx *cli_open(const char *data_dir);
/* Writes s as a JSON string (with quotes) to out. */
void cli_json_string(FILE *out, const char *s);

int cmd_account(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_master_key(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
