/*
 * SHA-256 as FIPS 180-4 defines it, for the policy digest and for hosts that
 * log digests of tool inputs. Not constant-time: it hashes public data only.
 */
#ifndef AG_CORE_SHA256_H
#define AG_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define AG_SHA256_DIGEST_BYTES 32
#define AG_SHA256_HEX_LENGTH 64

/* An incremental SHA-256 computation. */
typedef struct ag_sha256 {
    uint32_t state[8];
    uint64_t total_bytes;         /* bytes hashed so far, for the final length field */
    unsigned char block[64];      /* input not yet compressed */
    size_t block_used;
} ag_sha256;

void ag_sha256_init(ag_sha256 *context);
void ag_sha256_update(ag_sha256 *context, const void *data, size_t length);

/* Pads, writes the digest, and leaves the context to be initialized again. */
void ag_sha256_final(ag_sha256 *context, unsigned char digest[AG_SHA256_DIGEST_BYTES]);

/* Writes 64 lowercase hex digits and a NUL into `hex`. */
void ag_sha256_to_hex(const unsigned char digest[AG_SHA256_DIGEST_BYTES],
                      char hex[AG_SHA256_HEX_LENGTH + 1]);

#endif
