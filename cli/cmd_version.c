/*
 * cmd_version.c -- `gatehouse version`.
 */
#include "cli.h"

int
cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("gatehouse %s\n%s", GATEHOUSE_VERSION, gh_library_versions());
    return 0;
}
