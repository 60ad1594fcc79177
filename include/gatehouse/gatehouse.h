/*
 * gatehouse.h -- the public API of libgatehouse: one include for everything.
 */
#ifndef GATEHOUSE_H
#define GATEHOUSE_H

#define GATEHOUSE_VERSION "0.1.0"

#include <gatehouse/access_token.h>
#include <gatehouse/api.h>
#include <gatehouse/breach.h>
#include <gatehouse/clock.h>
#include <gatehouse/credential.h>
#include <gatehouse/err.h>
#include <gatehouse/model.h>
#include <gatehouse/passphrase.h>
#include <gatehouse/policy.h>
#include <gatehouse/pwhash.h>
#include <gatehouse/qr.h>
#include <gatehouse/service.h>
#include <gatehouse/totp.h>
#include <gatehouse/util.h>
#include <gatehouse/webhook.h>

#endif
