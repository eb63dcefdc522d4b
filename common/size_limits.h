/* size_limits.h: the sizes that several parts of the suite must agree on, so that what the
 * documentation promises passes every hop: an assessment exchange file (ImportAnswers, docs/
 * exchange.md) of up to UNIC_EXCHANGE_MAX_BYTES goes through the gateway in either Connect
 * encoding and is received by responses. Nothing here owns memory. */
#ifndef UNIC_SIZE_LIMITS_H
#define UNIC_SIZE_LIMITS_H

/* The largest exchange file (ImportAnswersRequest.content); larger is RESOURCE_EXHAUSTED. */
#define UNIC_EXCHANGE_MAX_BYTES (8u << 20)

/* What an ImportAnswers request carries besides the file (its assessment id, etag, format, and
 * in JSON their names and quotes), with room to spare: those fields are at most a few hundred
 * bytes. */
#define UNIC_EXCHANGE_ENVELOPE_BYTES (64u << 10)

/* The largest ImportAnswers message in protobuf: what responses receives (UNIC_MAX_RECV_BYTES'
 * default there) and the gateway takes as a binary body. */
#define UNIC_EXCHANGE_MESSAGE_BYTES (UNIC_EXCHANGE_MAX_BYTES + UNIC_EXCHANGE_ENVELOPE_BYTES)

/* The same in Connect JSON, where bytes are base64 (4 characters for every 3 bytes, padded):
 * the body the gateway takes for ImportAnswers whatever UNIC_HTTP_MAX_BODY_BYTES says. */
#define UNIC_EXCHANGE_JSON_BYTES                                                                    \
    ((UNIC_EXCHANGE_MAX_BYTES + 2u) / 3u * 4u + UNIC_EXCHANGE_ENVELOPE_BYTES)

#endif
