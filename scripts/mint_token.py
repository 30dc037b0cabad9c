"""Mint a bearer token for local calls.

    make token                                   # program staff
    make token ARGS="--kind sales_platform"
    make token ARGS="--kind partner_user --partner-id P1 --role FULL --groups LEADS --subject petro"

A partner user's token names its login (--subject, required for partner_user): partner
writes act as that login, which must be attached to the partner with that role.

The signing secret is var/dev-jwt-secret (written by `make run`), or PP_JWT_SECRET.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path

from ppcore.auth import Caller, CallerKind, PartnerRole, TokenIssuer
from ppcore.clock import SystemClock

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--kind", choices=[k.value for k in CallerKind if k is not CallerKind.ANONYMOUS], default="staff"
    )
    parser.add_argument("--subject", help="the caller; a partner user's login (required for partner_user)")
    parser.add_argument("--partner-id")
    parser.add_argument("--role", choices=[r.value for r in PartnerRole])
    parser.add_argument("--groups", nargs="*", default=[])
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--secret", default=os.environ.get("PP_JWT_SECRET"))
    args = parser.parse_args()
    if args.kind == CallerKind.PARTNER_USER.value and not (args.subject and args.partner_id and args.role):
        parser.error("--kind partner_user needs --subject (the login), --partner-id and --role")
    secret = args.secret
    if not secret:
        secret_file = ROOT / "var" / "dev-jwt-secret"
        if not secret_file.exists():
            raise SystemExit("no secret: run `make run` once (it writes var/dev-jwt-secret) or set PP_JWT_SECRET")
        secret = secret_file.read_text().strip()
    issuer = TokenIssuer(
        algorithm="HS256", clock=SystemClock(), secret=secret, issuer="partnerprogram", audience="partnerprogram"
    )
    caller = Caller(
        kind=CallerKind(args.kind),
        subject=args.subject or "local:developer",
        partner_id=args.partner_id,
        role=PartnerRole(args.role) if args.role else None,
        groups=frozenset(args.groups),
    )
    print(issuer.mint(caller, timedelta(hours=args.hours)))


if __name__ == "__main__":
    main()
