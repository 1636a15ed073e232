"""Protect RTP/RTCP packets with libsrtp (via pylibsrtp) for the Go cross-check.

stdin:  {"profile": "AES128_CM_SHA1_80", "key": "<hex master key || salt>",
         "rtp": ["<hex>", ...], "rtcp": ["<hex>", ...]}
stdout: {"rtp": ["<hex>", ...], "rtcp": ["<hex>", ...]}
exit 3 when pylibsrtp is not importable.
"""
import json
import sys

try:
    import pylibsrtp
except ImportError as e:  # the Go test skips on exit code 3
    print("pylibsrtp not available: %s" % e, file=sys.stderr)
    sys.exit(3)

req = json.load(sys.stdin)
profile = getattr(pylibsrtp.Policy, "SRTP_PROFILE_" + req["profile"])
policy = pylibsrtp.Policy(
    key=bytes.fromhex(req["key"]),
    ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
    srtp_profile=profile,
)
session = pylibsrtp.Session(policy=policy)
out = {
    "rtp": [session.protect(bytes.fromhex(p)).hex() for p in req["rtp"]],
    "rtcp": [session.protect_rtcp(bytes.fromhex(p)).hex() for p in req["rtcp"]],
}
json.dump(out, sys.stdout)
