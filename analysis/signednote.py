"""Signed notes and verifier keys, as the checksum database signs its tree heads.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <name> <base64(4-byte key hash || signature)>``. A verifier key is
``<name>+<8 hex digits: key hash>+<base64(algorithm byte || public key)>``; the key hash is
the first four bytes of ``SHA-256(name + "\\n" + key bytes)``, and the only algorithm is
Ed25519 (byte 1). Signatures by unknown keys are ignored; a note none of whose signatures
is by a known key is refused, and so is one with a bad signature by a known key.

>>> v = Verifier.parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
>>> (v.name, hex(v.hash))
('PeterNeumann', '0xc74f20a3')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from analysis.errors import NoteError

__all__ = ["NoteError", "Verifier", "open_note"]

_ED25519 = 1


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_hash(name: str, key: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + key).digest()
    value: int = struct.unpack(">I", digest[:4])[0]
    return value


@dataclass(frozen=True)
class Verifier:
    name: str
    hash: int
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """Parse ``name+hash+key``; :class:`NoteError` with Go's words otherwise."""
        name, _, rest = vkey.partition("+")
        hash16, _, key64 = rest.partition("+")
        try:
            h = int(hash16, 16) if len(hash16) == 8 else -1
            key = base64.b64decode(key64, validate=True)
        except (ValueError, binascii.Error):
            h, key = -1, b""
        if h < 0 or not _valid_name(name) or not key:
            raise NoteError("malformed verifier id")
        if h != key_hash(name, key):
            raise NoteError("invalid verifier hash")
        if key[0] != _ED25519:
            raise NoteError("unknown verifier algorithm")
        if len(key) != 33:
            raise NoteError("malformed verifier id")
        return cls(name, h, key[1:])

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def open_note(msg: bytes, verifier: Verifier) -> bytes:
    """The text of ``msg`` once a signature by ``verifier`` checks out."""
    try:
        s = msg.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("malformed note") from None
    if any(ord(c) < 0x20 and c != "\n" for c in s):
        raise NoteError("malformed note")
    split = msg.rfind(b"\n\n")
    if split < 0:
        raise NoteError("malformed note")
    text, sigs = msg[: split + 1], msg[split + 2 :]
    if not sigs or not sigs.endswith(b"\n"):
        raise NoteError("malformed note")
    verified = False
    lines = sigs[:-1].split(b"\n")
    if len(lines) > 100:
        raise NoteError("malformed note")
    for line in lines:
        if not line.startswith("— ".encode()):
            raise NoteError("malformed note")
        name, _, b64 = line[len("— ".encode()) :].decode().partition(" ")
        try:
            sig = base64.b64decode(b64, validate=True)
        except (ValueError, binascii.Error):
            raise NoteError("malformed note") from None
        if not _valid_name(name) or not b64 or len(sig) < 5:
            raise NoteError("malformed note")
        h = struct.unpack(">I", sig[:4])[0]
        if name != verifier.name or h != verifier.hash:
            continue  # someone else's signature: not ours to judge
        if not verifier.verify(text, sig[4:]):
            raise NoteError(f"invalid signature for key {name}+{h:08x}")
        verified = True
    if not verified:
        raise NoteError("note has no verifiable signatures")
    return text
