/*
 * Unprotect SRTP/SRTCP packets with libsrtp 2 for the Go cross-check of
 * the AES_192_CM SDES sample (pylibsrtp has no AES-192 profile, so this is
 * compiled by the test in its temporary directory and linked with libsrtp2).
 *
 * usage: libsrtp_unprotect SUITE KEYHEX
 *   SUITE: AES_192_CM_HMAC_SHA1_80 or AES_192_CM_HMAC_SHA1_32
 *   KEYHEX: master key || master salt (38 bytes) in hex
 * stdin: one packet a line, "rtp HEX" or "rtcp HEX"
 * stdout: first "version " and libsrtp's version string, then one line a
 *         packet: the plaintext in hex, or "- " and libsrtp's error status
 *         when it rejects the packet (7: authentication failure).
 * exit 4 when libsrtp cannot create the session (a libsrtp built without
 * OpenSSL or NSS has no AES-192-ICM); the test skips then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srtp.h"

static int unhex(const char *s, unsigned char *out, int max) {
    int n = 0;
    while (s[0] && s[1] && s[0] != '\n') {
        unsigned int b;
        if (n >= max || sscanf(s, "%2x", &b) != 1)
            return -1;
        out[n++] = (unsigned char)b;
        s += 2;
    }
    return n;
}

int main(int argc, char **argv) {
    static unsigned char key[64], buf[4096];
    static char line[2 * sizeof(buf) + 16];
    srtp_policy_t policy;
    srtp_t session;
    srtp_err_status_t st;

    if (argc != 3) {
        fprintf(stderr, "usage: %s SUITE KEYHEX\n", argv[0]);
        return 2;
    }
    if (srtp_init() != srtp_err_status_ok) {
        fprintf(stderr, "srtp_init failed\n");
        return 4;
    }
    memset(&policy, 0, sizeof(policy));
    if (strcmp(argv[1], "AES_192_CM_HMAC_SHA1_80") == 0)
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&policy.rtp);
    else if (strcmp(argv[1], "AES_192_CM_HMAC_SHA1_32") == 0)
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(&policy.rtp);
    else {
        fprintf(stderr, "unknown suite %s\n", argv[1]);
        return 2;
    }
    /* RFC 6188 §3: SRTCP keeps the 80-bit tag for both suites. */
    srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&policy.rtcp);
    if (unhex(argv[2], key, sizeof(key)) != 38) {
        fprintf(stderr, "the key is not 38 bytes of hex\n");
        return 2;
    }
    policy.key = key;
    policy.ssrc.type = ssrc_any_inbound;
    policy.window_size = 128;
    st = srtp_create(&session, &policy);
    if (st != srtp_err_status_ok) {
        fprintf(stderr, "libsrtp cannot create an %s session (error %d): built without OpenSSL/NSS AES-192-ICM?\n", argv[1], (int)st);
        return 4;
    }
    printf("version %s\n", srtp_get_version_string());
    while (fgets(line, sizeof(line), stdin)) {
        int rtcp = strncmp(line, "rtcp ", 5) == 0;
        int n = unhex(line + (rtcp ? 5 : 4), buf, sizeof(buf) - 64);
        if (n < 0) {
            fprintf(stderr, "bad input line\n");
            return 2;
        }
        st = rtcp ? srtp_unprotect_rtcp(session, buf, &n) : srtp_unprotect(session, buf, &n);
        if (st != srtp_err_status_ok) {
            printf("- %d\n", (int)st);
            continue;
        }
        for (int i = 0; i < n; i++)
            printf("%02x", buf[i]);
        printf("\n");
    }
    srtp_dealloc(session);
    return 0;
}
