"""JWT bearer tokens (pyjwt, HS256, secret from ``settings.api.secret_key``)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.directory import User
from core.errors import AuthenticationError, ValidationError
from core.ports import Clock
from core.privacy import Viewer
from core.work_order_rules import Actor, Role

ALGORITHM = "HS256"


def signing_key(secret: str) -> bytes:
    """A 32-byte HS256 key derived from the configured secret (RFC 7518 §3.2 wants ≥ 256 bits;
    this does not add entropy — production must still configure a long random secret)."""
    return hashlib.sha256(b"hotline-jwt\x00" + secret.encode()).digest()


class TokenIssuer:
    def __init__(self, secret: str, ttl: timedelta, clock: Clock) -> None:
        self._secret = signing_key(secret)
        self._ttl = ttl
        self._clock = clock

    @property
    def ttl(self) -> timedelta:
        return self._ttl

    def issue(self, user: User) -> str:
        now = self._clock.now()
        claims: dict[str, Any] = {
            "sub": user.username,
            "role": user.role.value,
            "unit": user.unit_id,
            "pd": user.sees_personal_data,
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def viewer(self, token: str) -> Viewer:
        try:
            # Expiry is checked against the injected clock, not the wall clock.
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
            expires = int(claims["exp"])
            actor = Actor(str(claims["sub"]), Role(claims["role"]), claims.get("unit"))
        except (jwt.PyJWTError, KeyError, ValueError, TypeError, ValidationError) as exc:
            raise AuthenticationError("invalid token", code="auth.invalid_token") from exc
        if self._clock.now().timestamp() >= expires:
            raise AuthenticationError("token expired", code="auth.token_expired")
        return Viewer(actor, bool(claims.get("pd", False)))


_bearer = HTTPBearer(auto_error=False)


async def current_viewer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    # async: an HS256 check is microseconds; a sync dependency would cost a threadpool hop.
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("missing bearer token", code="auth.unauthenticated")
    tokens: TokenIssuer = request.app.state.container.tokens
    return tokens.viewer(credentials.credentials)


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
