/*
 * clock.h -- the injectable clock and Twilio's two date formats.
 */
#ifndef GATEHOUSE_CLOCK_H
#define GATEHOUSE_CLOCK_H

#include <stdint.h>

#include <gatehouse/api.h>

/* A clock: now_ms returns milliseconds since the Unix epoch.  Tests supply their own. */
struct gh_clock {
    int64_t (*now_ms)(void *arg);
    void *arg;
};

#define GH_RFC2822_SIZE 32
#define GH_ISO8601_SIZE 24

/** The time from clock, or from the system clock when clock is NULL. */
GH_API int64_t gh_clock_now_ms(const struct gh_clock *clock);

/** Formats ms as "Mon, 13 Jun 2016 22:50:08 +0000" (the 2010-04-01 and iam v1 date format). */
GH_API void gh_time_rfc2822(int64_t ms, char out[GH_RFC2822_SIZE]);

/** Formats ms as "2016-06-13T22:50:08Z" (the accounts v1 date format). */
GH_API void gh_time_iso8601(int64_t ms, char out[GH_ISO8601_SIZE]);

#endif
