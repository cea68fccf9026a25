"""The web service's own state, in one SQLite file in its data dir (``<data_dir>/web/web.sqlite3``).

- ``used_links``: the id of every emailed link already used, until it would have expired anyway:
  a link works once.
- ``pending``: a registration, or a change of address, waiting for its address to be confirmed,
  encrypted (Fernet, with a key derived from the signing secret), deleted once confirmed or
  expired. Nothing of it goes to the APIs, the topics or the logs before the person confirms.
- ``accounts``: who may sign in: the HMAC of an email address (never the address), the role the
  APIs know, and the subject of that role's tokens (a person id, a counsellor id).
- ``sessions``: signed-in browsers, until they sign out or the session expires.

Times are Unix seconds read from the service's clock by the caller.
"""

from __future__ import annotations

import base64
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SCHEMA = """
CREATE TABLE IF NOT EXISTS used_links (jti TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pending (jti TEXT PRIMARY KEY, blob BLOB NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    key TEXT PRIMARY KEY, role TEXT NOT NULL, subject TEXT NOT NULL, language TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY, role TEXT NOT NULL, subject TEXT NOT NULL, expires REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Account:
    """Someone who may sign in."""

    role: str
    subject: str
    language: str


def fernet_for(secret: str) -> Fernet:
    """The key that encrypts pending registrations, derived from the signing secret."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"concerto-web-pending")
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(secret.encode())))


class WebStore:
    """The web's SQLite store; safe to share between the threads of one process."""

    def __init__(self, path: Path, secret: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._fernet = fernet_for(secret)

    def close(self) -> None:
        self._db.close()

    def forget_expired(self, now: float) -> None:
        """Drop used links, pending registrations and sessions past their expiry."""
        with self._lock:
            for table in ("used_links", "pending", "sessions"):
                self._db.execute(f"DELETE FROM {table} WHERE expires <= ?", (now,))  # noqa: S608

    def use_link(self, jti: str, expires: float) -> bool:
        """Mark a link used; False when it already was (atomic: two clicks cannot both win)."""
        with self._lock:
            cursor = self._db.execute("INSERT OR IGNORE INTO used_links VALUES (?, ?)", (jti, expires))
            return cursor.rowcount == 1

    def link_used(self, jti: str) -> bool:
        """Whether a link was already used."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM used_links WHERE jti = ?", (jti,)).fetchone() is not None

    def keep_pending(self, jti: str, data: bytes, expires: float) -> None:
        """Keep a registration (its JSON) encrypted until it is confirmed or expires."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO pending VALUES (?, ?, ?)", (jti, self._fernet.encrypt(data), expires)
            )

    def pending(self, jti: str) -> bytes | None:
        """A pending registration's JSON, or None."""
        with self._lock:
            row = self._db.execute("SELECT blob FROM pending WHERE jti = ?", (jti,)).fetchone()
        if row is None:
            return None
        try:
            return self._fernet.decrypt(row[0])
        except InvalidToken:
            return None

    def drop_pending(self, jti: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM pending WHERE jti = ?", (jti,))

    def save_account(self, key: str, account: Account) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?)",
                (key, account.role, account.subject, account.language),
            )

    def account(self, key: str) -> Account | None:
        with self._lock:
            row = self._db.execute(
                "SELECT role, subject, language FROM accounts WHERE key = ?", (key,)
            ).fetchone()
        return Account(*row) if row else None

    def move_account(self, old_key: str, new_key: str, account: Account) -> None:
        """The account now signs in with another address (its key changes, nothing else)."""
        with self._lock:
            self._db.execute("DELETE FROM accounts WHERE key = ?", (old_key,))
            self._db.execute(
                "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?)",
                (new_key, account.role, account.subject, account.language),
            )

    def set_language(self, role: str, subject: str, language: str) -> None:
        """The language of the links emailed to an account."""
        with self._lock:
            self._db.execute(
                "UPDATE accounts SET language = ? WHERE role = ? AND subject = ?", (language, role, subject)
            )

    def forget(self, role: str, subject: str) -> None:
        """Delete an account and every session of it (after an erasure)."""
        with self._lock:
            self._db.execute("DELETE FROM accounts WHERE role = ? AND subject = ?", (role, subject))
            self._db.execute("DELETE FROM sessions WHERE role = ? AND subject = ?", (role, subject))

    def open_session(self, sid: str, account: Account, expires: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)", (sid, account.role, account.subject, expires)
            )

    def session(self, sid: str, now: float) -> Account | None:
        """The account a live session is signed in as, or None (unknown, ended or expired)."""
        with self._lock:
            row = self._db.execute(
                "SELECT role, subject FROM sessions WHERE sid = ? AND expires > ?", (sid, now)
            ).fetchone()
        return Account(row[0], row[1], "") if row else None

    def close_session(self, sid: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE sid = ?", (sid,))
