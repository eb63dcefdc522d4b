/* page_token.h: the one page-token format of every List method. A token carries the position the
 * next page starts after (an id, a sequence number: the service's keyset), encrypted and sealed
 * with the deployment's secret (UNIC_PAGE_TOKEN_SECRET) and bound to the list method, the caller's
 * key and the request's filter. So a client can neither read a position from a token, nor forge
 * one, nor replay one under another filter or key: each of those is INVALID_ARGUMENT naming
 * page_token. Tokens stay valid across replicas and restarts that share the secret.
 * Format (docs/architecture.md): "p1." + base64url(16-byte synthetic IV || position XOR keystream);
 * the IV is HMAC-SHA-256 over the binding and the position, the keystream HMAC-SHA-256 over the IV.
 * Pure functions over caller-owned buffers, plus wrappers over a call. Owned by common/: stable. */
#ifndef UNIC_PAGE_TOKEN_H
#define UNIC_PAGE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

enum {
    PAGE_POSITION_MAX = 128, /* bytes of a position, without the NUL */
    PAGE_TOKEN_MAX = 256,    /* bytes of any token, with the NUL */
};

/* The token of the page after `position` (1..PAGE_POSITION_MAX bytes, no NUL) under `secret`,
 * bound to `binding` (method, caller and filter, joined by the caller). Returns its length. */
size_t page_token_seal(const char *secret, const char *binding, const char *position,
                       char out[PAGE_TOKEN_MAX]);
/* 0 with the position in out, or -1 when `token` is not one page_token_seal made under this
 * secret and binding. */
int page_token_open(const char *secret, const char *binding, const char *token,
                    char out[PAGE_POSITION_MAX + 1]);

/* For handlers: `filter` is the request's filter fields written canonically by the service
 * ("state=KEN;kind=2"). The token of the page after `position`, in the call's arena. */
char *page_token_next(struct call *c, const char *filter, const char *position);
/* The position a request's page_token names: "" (the first page) for an empty token, or -1 with
 * INVALID_ARGUMENT naming page_token. *position lives in the call's arena. */
int page_token_position(struct call *c, const char *filter, const char *token,
                        const char **position, struct err *e);

#endif
