/*
 * clock.c -- the injectable clock and the two date formats Twilio's resources use.
 * Formatting is locale-free: day and month names come from fixed tables.
 */
#include <time.h>

#include "internal.h"

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t
gh_clock_now_ms(const struct gh_clock *clock)
{
    struct timespec ts;

    if (clock != NULL && clock->now_ms != NULL) {
        return clock->now_ms(clock->arg);
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
utc_of(int64_t ms, struct tm *tm)
{
    /* Floor, not truncation: -1 ms is 23:59:59.999 on the last day of 1969. */
    time_t s = (time_t)(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));

    memset(tm, 0, sizeof(*tm));
    gmtime_r(&s, tm);
}

/* Formats into a roomy buffer, then copies what fits (years past 9999 do not). */
static void
copy_out(char *out, size_t cap, const char *text)
{
    if (gh__strlcpy(out, text, cap) != GH_OK) {
        out[0] = '\0';
    }
}

void
gh_time_rfc2822(int64_t ms, char out[GH_RFC2822_SIZE])
{
    char text[96];
    struct tm tm;

    utc_of(ms, &tm);
    snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    copy_out(out, GH_RFC2822_SIZE, text);
}

void
gh_time_iso8601(int64_t ms, char out[GH_ISO8601_SIZE])
{
    char text[96];
    struct tm tm;

    utc_of(ms, &tm);
    snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    copy_out(out, GH_ISO8601_SIZE, text);
}
