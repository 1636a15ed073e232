"""Protect or unprotect SRTP/SRTCP packets with libsrtp 2 (via pylibsrtp) for
the Go cross-checks (internal/pylibsrtp).

argv:   protect | unprotect
stdin:  {"profile": "AES128_CM_SHA1_80", "key": "<hex master key || salt>",
         "rtp": ["<hex>", ...], "rtcp": ["<hex>", ...]}
stdout: {"rtp": ["<hex>" or null, ...], "rtcp": [...]}: unprotect gives
        null where libsrtp rejects the packet (authentication failure).
exit 3 when pylibsrtp is not importable.
"""
import json
import sys

try:
    import pylibsrtp
except ImportError as e:  # the Go test skips on exit code 3
    print("pylibsrtp not available: %s" % e, file=sys.stderr)
    sys.exit(3)

mode = sys.argv[1]
req = json.load(sys.stdin)
profile = getattr(pylibsrtp.Policy, "SRTP_PROFILE_" + req["profile"])
policy = pylibsrtp.Policy(
    key=bytes.fromhex(req["key"]),
    ssrc_type=(pylibsrtp.Policy.SSRC_ANY_OUTBOUND if mode == "protect"
               else pylibsrtp.Policy.SSRC_ANY_INBOUND),
    srtp_profile=profile,
)
session = pylibsrtp.Session(policy=policy)


def unprotect(f, p):
    try:
        return f(bytes.fromhex(p)).hex()
    except pylibsrtp.Error:
        return None


if mode == "protect":
    out = {
        "rtp": [session.protect(bytes.fromhex(p)).hex() for p in req.get("rtp") or []],
        "rtcp": [session.protect_rtcp(bytes.fromhex(p)).hex() for p in req.get("rtcp") or []],
    }
else:
    out = {
        "rtp": [unprotect(session.unprotect, p) for p in req.get("rtp") or []],
        "rtcp": [unprotect(session.unprotect_rtcp, p) for p in req.get("rtcp") or []],
    }
json.dump(out, sys.stdout)
