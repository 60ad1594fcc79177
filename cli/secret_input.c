/*
 * secret_input.c -- reading a passphrase from standard input: one line, byte by byte (no stdio
 * buffer keeps a copy), without echo on a terminal, bounded: past GH_PASSPHRASE_MAX_BYTES it
 * stops reading, and the policy refuses the result as too long without looking at it.
 */
#include <errno.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Reads up to cap bytes of one line into buf; returns how many (cap: the line did not end). */
static size_t
read_line(char *buf, size_t cap)
{
    size_t len = 0;
    ssize_t got;
    char ch;

    while (len < cap) {
        got = read(STDIN_FILENO, &ch, 1);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got != 1 || ch == '\n') {
            break;
        }
        buf[len++] = ch;
    }
    gh_wipe(&ch, sizeof(ch));
    return len;
}

size_t
cli_read_passphrase(const char *prompt, char buf[CLI_PASSPHRASE_BUF])
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    size_t len;

    if (tty) {
        fprintf(stderr, "%s: ", prompt);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    len = read_line(buf, CLI_PASSPHRASE_BUF - 1);
    if (tty) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (len > 0 && len <= GH_PASSPHRASE_MAX_BYTES && buf[len - 1] == '\r') {
        len--;
    }
    buf[len] = '\0';
    return len;
}
