"""
Loaded by the moto server that dev/motoServer.ts starts (this folder is put first on its
PYTHONPATH); not part of s3-push, never shipped.

moto 5.2 matches a bucket policy's Resource against each object request by turning the pattern
into a regular expression with only `*` translated: the IAM single-character wildcard `?`, which
the rendered source bucket policy uses for the digits of a day (`events/????/??/??/*`), is read as
a regex quantifier, the match raises, and every object request on that bucket answers 500. AWS
reads `?` as exactly one character and every other character literally
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
This gives moto that rule and nothing else; moto still grants nothing by policy (it only looks
for explicit denies), so the permission chain is proven elsewhere (docs/emulators.md).
"""
import re

try:
    from moto.iam import access_control
except Exception:  # another Python program on this path, or a moto without that module
    access_control = None


def _iam_glob_match(pattern, string):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.match(f"^{regex}$", string, re.DOTALL)


if access_control is not None and hasattr(getattr(access_control, "IAMPolicyStatement", None), "_match"):
    access_control.IAMPolicyStatement._match = staticmethod(_iam_glob_match)
