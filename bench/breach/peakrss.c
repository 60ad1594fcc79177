/*
 * peakrss.c -- bench/breach's measuring wrapper: runs a command (its standard input, output and
 * error are the wrapper's), waits for it with wait4() (polling, WNOHANG, every 10 ms) and writes what the kernel accounted for
 * that one process to a report file:
 *
 *   status=<exit status, or 128 + the signal that ended it>
 *   peak_rss_kib=<ru_maxrss: the command's peak resident set, KiB (file-backed pages it
 *                 touched, such as a mapped file, included)>
 *   wall_seconds=<from fork to the command's end, CLOCK_MONOTONIC, within the 10 ms polling>
 *   user_seconds=<ru_utime>
 *   sys_seconds=<ru_stime>
 *   major_faults=<ru_majflt>
 *   peak_anon_kib=<the largest RssAnon seen: heap and other private memory, KiB>
 *   peak_file_kib=<the largest RssFile seen: file-backed pages (mapped files), KiB>
 *
 * The last two are sampled from /proc/<pid>/status every 10 ms while the command runs, so they
 * are lower bounds of the true peaks (and their sum may exceed peak_rss_kib: different
 * instants); they say which kind of memory made the peak.
 * (GNU time -v reports the same ru_maxrss; this avoids needing the package.)  The figures are
 * the command's own, not its children's: run the command itself, not a shell around it.
 *
 * SIGINT and SIGTERM sent to the wrapper are passed on to the command.
 *
 * Usage: peakrss REPORT COMMAND [ARG...]
 * Exit status: the command's (128 + signal when a signal ended it); 127 when it could not be
 * started; 125 for the wrapper's own errors (usage, the report file).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child;

/* Passes SIGINT and SIGTERM on to the command: it ends, and the report is still written. */
static void
forward(int sig)
{
    if (child > 0) {
        kill((pid_t)child, sig);
    }
}

/* Raises *anon and *file to the command's current RssAnon and RssFile (KiB), if larger. */
static void
sample(pid_t pid, long *anon, long *file)
{
    char path[64], line[256];
    long v;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "RssAnon: %ld", &v) == 1 && v > *anon) {
            *anon = v;
        } else if (sscanf(line, "RssFile: %ld", &v) == 1 && v > *file) {
            *file = v;
        }
    }
    fclose(f);
}

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
    struct rusage ru;
    struct sigaction sa;
    sigset_t block, old;
    double start, wall;
    pid_t pid, got;
    struct timespec tick = {0, 10 * 1000 * 1000};
    long anon = 0, file = 0;
    int wstatus = 0, status;
    FILE *report;

    if (argc < 3) {
        fprintf(stderr, "usage: peakrss REPORT COMMAND [ARG...]\n");
        return 125;
    }
    report = fopen(argv[1], "w");
    if (report == NULL) {
        fprintf(stderr, "peakrss: cannot write %s: %s\n", argv[1], strerror(errno));
        return 125;
    }
    /* The signals wait until the child is known (then they are passed on), and the command
     * starts with the default handlers. */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    start = now_s();
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
        fclose(report);
        return 125;
    }
    if (pid == 0) {
        fclose(report);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "peakrss: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    memset(&ru, 0, sizeof(ru));
    for (;;) {
        got = wait4(pid, &wstatus, WNOHANG, &ru);
        if (got != 0 && !(got < 0 && errno == EINTR)) {
            break;
        }
        sample(pid, &anon, &file);
        nanosleep(&tick, NULL);
    }
    wall = now_s() - start;
    if (got < 0) {
        fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
        fclose(report);
        return 125;
    }
    status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
    fprintf(report,
            "status=%d\npeak_rss_kib=%ld\nwall_seconds=%.3f\nuser_seconds=%.3f\n"
            "sys_seconds=%.3f\nmajor_faults=%ld\npeak_anon_kib=%ld\npeak_file_kib=%ld\n",
            status, ru.ru_maxrss, wall, tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_majflt, anon,
            file);
    if (fclose(report) != 0) {
        fprintf(stderr, "peakrss: cannot write %s\n", argv[1]);
        return 125;
    }
    return status;
}
