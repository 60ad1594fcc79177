/*
 * clock.c -- the injectable clock and the two date formats Twilio's resources use.
 * Formatting is locale-free and lock-free: day and month names come from fixed tables.
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

/* A UTC calendar date and time of day. */
struct civil {
    int64_t year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
    int wday;  /* 0 = Sunday */
    int hour, min, sec;
};

/*
 * Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant, "chrono-compatible
 * low-level date algorithms", days_from_civil's inverse).  Hand-written rather than gmtime_r,
 * which takes the time-zone lock on every call: dates are formatted on every response.
 */
static void
civil_of(int64_t ms, struct civil *c)
{
    /* Floor, not truncation: -1 ms is 23:59:59.999 on the last day of 1969. */
    int64_t secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    int64_t day_count = secs / 86400 - (secs % 86400 < 0 ? 1 : 0);
    int64_t sod = secs - day_count * 86400;
    int64_t z = day_count + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = yoe + era * 400 + (c->month <= 2 ? 1 : 0);
    c->wday = (int)(((day_count % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    c->hour = (int)(sod / 3600);
    c->min = (int)(sod / 60 % 60);
    c->sec = (int)(sod % 60);
}

/* Writes v as exactly n decimal digits at p; returns p + n. */
static char *
digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

static char *
text(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

void
gh_time_rfc2822(int64_t ms, char out[GH_RFC2822_SIZE])
{
    struct civil c;
    char *p = out;

    civil_of(ms, &c);
    if (c.year < 0 || c.year > 9999) {
        out[0] = '\0';
        return;
    }
    p = text(p, days[c.wday], 3);
    p = text(p, ", ", 2);
    p = digits(p, c.day, 2);
    *p++ = ' ';
    p = text(p, months[c.month - 1], 3);
    *p++ = ' ';
    p = digits(p, c.year, 4);
    *p++ = ' ';
    p = digits(p, c.hour, 2);
    *p++ = ':';
    p = digits(p, c.min, 2);
    *p++ = ':';
    p = digits(p, c.sec, 2);
    p = text(p, " +0000", 7); /* with the NUL */
}

void
gh_time_iso8601(int64_t ms, char out[GH_ISO8601_SIZE])
{
    struct civil c;
    char *p = out;

    civil_of(ms, &c);
    if (c.year < 0 || c.year > 9999) {
        out[0] = '\0';
        return;
    }
    p = digits(p, c.year, 4);
    *p++ = '-';
    p = digits(p, c.month, 2);
    *p++ = '-';
    p = digits(p, c.day, 2);
    *p++ = 'T';
    p = digits(p, c.hour, 2);
    *p++ = ':';
    p = digits(p, c.min, 2);
    *p++ = ':';
    p = digits(p, c.sec, 2);
    text(p, "Z", 2);
}
