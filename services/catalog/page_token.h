/* page_token.h: the opaque page tokens of ListQuestionnaires. A token names the last questionnaire
 * of the page it ends (keyset pagination: stable while questionnaires are added), base64url
 * encoded behind a format tag so that the format can change without misreading old tokens. Pure. */
#ifndef UNIC_CATALOG_PAGE_TOKEN_H
#define UNIC_CATALOG_PAGE_TOKEN_H

#include <stddef.h>

enum { PAGE_TOKEN_MAX = 128 }; /* bytes, with the NUL, of any token page_token_encode makes */

/* Writes into out (size >= PAGE_TOKEN_MAX) the token of the page that follows `last_id`, a valid
 * questionnaire id. */
void page_token_encode(const char *last_id, char *out, size_t size);
/* 0 with the id the next page starts after in id (size >= 65), or -1 when the token is not one
 * page_token_encode made. */
int page_token_decode(const char *token, char *id, size_t size);

#endif
