/*
 * err.h -- the one error enum of libgatehouse.
 *
 * Every function that can fail returns a gh_err.  Each code is one row of GH_ERR_TABLE:
 * enum name, HTTP status, Twilio error code, and a fixed message that never echoes input.
 */
#ifndef GATEHOUSE_ERR_H
#define GATEHOUSE_ERR_H

#include <gatehouse/api.h>

/* X(name, http_status, twilio_code, message) */
#define GH_ERR_TABLE(X)                                                                            \
    X(GH_OK, 200, 0, "OK")                                                                         \
    X(GH_E_INVALID, 400, 20001, "Invalid parameter")                                               \
    X(GH_E_MALFORMED, 400, 20001, "Malformed request")                                             \
    X(GH_E_MISSING, 400, 20001, "A required parameter is missing")                                 \
    X(GH_E_REPEATED, 400, 20001, "A parameter was repeated where one value is expected")           \
    X(GH_E_FRIENDLY_NAME, 400, 20002, "Invalid FriendlyName: must be 1 to 64 characters")          \
    X(GH_E_STATUS, 400, 20001, "Invalid Status: must be active, suspended or closed")              \
    X(GH_E_CLOSED, 400, 20005, "Account is closed; a closed account cannot be changed")            \
    X(GH_E_NESTED, 400, 21101, "Subaccounts cannot contain subaccounts")                           \
    X(GH_E_PARENT_SUSPENDED, 400, 21476,                                                           \
      "Cannot change a subaccount's Status while its parent is suspended")                         \
    X(GH_E_SUBACCOUNT_LIMIT, 400, 21480, "Maximum number of subaccounts reached")                  \
    X(GH_E_MEMBER_LIMIT, 400, 20001, "Maximum number of members reached (1000 per account)")       \
    X(GH_E_PAGE_TOKEN, 400, 21481, "Invalid PageToken")                                            \
    X(GH_E_PAGE, 400, 20001, "Invalid paging parameters")                                          \
    X(GH_E_WEAK_PASSPHRASE, 400, 20001, "The passphrase was refused by the passphrase policy")     \
    X(GH_E_EMAIL, 400, 20001, "Invalid Email")                                                     \
    X(GH_E_POLICY, 400, 20001,                                                                     \
      "Invalid Policy: expected {\"allow\": [...]} of 1 to 100 permissions; a /gatehouse/ entry "  \
      "must name a Gatehouse account permission other than access_token/mint and "                 \
      "ownership/transfer")                                                                        \
    X(GH_E_ACCOUNT_REQUIRED, 400, 20001,                                                           \
      "AccountSid is required: a session names the account it acts on")                            \
    X(GH_E_DENIED, 401, 20003, "Authenticate")                                                     \
    X(GH_E_FORBIDDEN, 403, 20403, "Forbidden")                                                     \
    X(GH_E_ESCALATION, 403, 20403, "Forbidden: that would grant a permission you do not hold")     \
    X(GH_E_MFA_CODE, 400, 60200, "The code is wrong, expired or already used")                     \
    X(GH_E_TOKEN_INVALID, 401, 20101, "Invalid Access Token")                                      \
    X(GH_E_TOKEN_ISSUER, 401, 20103, "Invalid Access Token issuer/subject")                        \
    X(GH_E_TOKEN_EXPIRED, 401, 20104, "Access Token expired or expiration date invalid")           \
    X(GH_E_TOKEN_NOT_YET, 401, 20105, "Access Token not yet valid")                                \
    X(GH_E_TOKEN_SIGNATURE, 401, 20107, "Invalid Access Token signature")                          \
    X(GH_E_TOKEN_REVOKED, 401, 20101, "Access Token has been revoked")                             \
    X(GH_E_TOKEN_TTL, 400, 20157, "Expiration Time exceeds the maximum allowed (24 hours)")        \
    X(GH_E_KEY_RESTRICTED, 403, 70051, "Authorization failed")                                     \
    X(GH_E_MFA_REQUIRED, 403, 20403,                                                               \
      "Complete the second factor first (or enrol one, where the account requires it)")            \
    X(GH_E_MUST_CHANGE_PASSPHRASE, 403, 20403,                                                     \
      "Change your passphrase first: it has appeared in a data breach")                            \
    X(GH_E_NOT_FOUND, 404, 20404, "The requested resource was not found")                          \
    X(GH_E_METHOD, 405, 20004, "Method not allowed")                                               \
    X(GH_E_CONFLICT, 409, 20409, "Conflict with the current state of the resource")                \
    X(GH_E_OWNER, 409, 20409,                                                                      \
      "The owner's role changes only by an ownership transfer that the new owner accepts")         \
    X(GH_E_BODY_TOO_LARGE, 413, 20413, "Request body too large")                                   \
    X(GH_E_URI_TOO_LONG, 414, 20414, "Request URI too long")                                       \
    X(GH_E_UNSUPPORTED_MEDIA, 415, 20415, "Unsupported Content-Type")                              \
    X(GH_E_LIMIT, 429, 20429, "Too many requests")                                                 \
    X(GH_E_HEADERS_TOO_LARGE, 431, 20431, "Request header fields too large")                       \
    X(GH_E_STORE, 500, 20500, "Internal server error")                                             \
    X(GH_E_CRYPTO, 500, 20500, "Internal server error")                                            \
    X(GH_E_NOMEM, 500, 20500, "Internal server error")                                             \
    X(GH_E_INTERNAL, 500, 20500, "Internal server error")                                          \
    X(GH_E_IO, 500, 20500, "Input/output error")                                                   \
    X(GH_E_INTERRUPTED, 500, 20500, "Interrupted")                                                 \
    X(GH_E_BUSY, 503, 20503, "Service temporarily unavailable")                                    \
    X(GH_E_CLOCK, 503, 20503,                                                                      \
      "This server's clock is wrong: one-time codes cannot be checked until it is set right")      \
    X(GH_E_BREACH_INDEX, 503, 20503,                                                               \
      "The breached-passphrase index is unavailable; passphrases cannot be set until it is back")  \
    X(GH_E_RETRY, 503, 20503, "Service temporarily unavailable")                                   \
    X(GH_E_UNREACHABLE, 503, 20503, "The store cannot be reached")                                 \
    X(GH_E_NOT_READY, 503, 20503, "Not ready: this server's master key does not match the store")  \
    X(GH_E_WRONG_KEY, 500, 20500, "The master key does not match this store")                      \
    X(GH_E_KEYFILE, 500, 20500,                                                                    \
      "The master key is missing, unreadable, malformed, or readable by group or others")

#define GH_ERR_ENUM_(name, http, code, msg) name,
typedef enum { GH_ERR_TABLE(GH_ERR_ENUM_) GH_ERR_COUNT_ } gh_err;
#undef GH_ERR_ENUM_

/** The enum name of err ("GH_E_DENIED"); "GH_E_UNKNOWN" for values outside the table. */
GH_API const char *gh_err_name(gh_err err);
/** A fixed, input-free message suitable for a client. */
GH_API const char *gh_err_message(gh_err err);
/** The HTTP status a server answers with. */
GH_API int gh_err_http_status(gh_err err);
/** The Twilio error code a server puts in the error body. */
GH_API int gh_err_twilio_code(gh_err err);

#endif
