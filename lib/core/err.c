/*
 * err.c -- lookups into the error table declared in <gatehouse/err.h>.
 */
#include "internal.h"

struct err_row {
    const char *name;
    int http_status;
    int twilio_code;
    const char *message;
};

#define ROW_(name, http, code, msg) {#name, http, code, msg},
static const struct err_row rows[] = {GH_ERR_TABLE(ROW_)};
#undef ROW_

static const struct err_row *
row_of(gh_err err)
{
    static const struct err_row unknown = {"GH_E_UNKNOWN", 500, 20500, "Internal server error"};

    if ((int)err < 0 || (int)err >= GH_ERR_COUNT_) {
        return &unknown;
    }
    return &rows[err];
}

const char *
gh_err_name(gh_err err)
{
    return row_of(err)->name;
}

const char *
gh_err_message(gh_err err)
{
    return row_of(err)->message;
}

int
gh_err_http_status(gh_err err)
{
    return row_of(err)->http_status;
}

int
gh_err_twilio_code(gh_err err)
{
    return row_of(err)->twilio_code;
}
