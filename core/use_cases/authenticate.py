"""Log in with username and password (scrypt hashes, see :mod:`core.passwords`)."""

from __future__ import annotations

import asyncio

from core.directory import User
from core.errors import AuthenticationError
from core.passwords import verify_password_blocking
from core.use_cases.ports import DirectoryRepository


class Authenticate:
    def __init__(self, directory: DirectoryRepository) -> None:
        self._directory = directory

    async def execute(self, username: str, password: str) -> User:
        user = await self._directory.get_user(username)
        ok = False
        if user is not None and user.active:
            # scrypt takes tens of milliseconds: keep it off the event loop.
            ok = await asyncio.to_thread(verify_password_blocking, password, user.password_hash)
        # One message for unknown user and wrong password: don't reveal which usernames exist.
        if user is None or not ok:
            raise AuthenticationError("wrong username or password", code="auth.bad_credentials")
        return user
