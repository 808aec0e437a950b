"""The embedded broker: kombu's file-system transport, made safe to share.

kombu writes a message file in place and reads it without a lock, so a reader
can see it half written (an empty or truncated file), and one such file, or
one left by a crash mid-write, makes the worker exit at its next start with a
JSONDecodeError. Here a message is written under a temporary name and renamed
into the queue folder whole, and a getter claims a file by renaming it out of
the folder (exactly one getter wins) before reading it. A file that still
cannot be read is moved into the quarantine folder and skipped: the broker is
only a doorbell, and the reconciler rings again for the row it stood for.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
import uuid
from queue import Empty
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

log = logging.getLogger(__name__)

#: how the transport is named in settings (``CELERY_BROKER_TRANSPORT``)
TRANSPORT = "waybrief.broker:Transport"
TEMP_SUFFIX = ".tmp"
#: a temporary file this old was left by a writer that died mid-write
STALE_TEMP_SECONDS = 600


class Channel(filesystem.Channel):
    @cached_property
    def quarantine_folder(self) -> str:
        folder = self.transport_options.get("quarantine_folder") or os.path.join(
            os.path.dirname(os.path.abspath(self.data_folder_in)), "quarantine"
        )
        os.makedirs(folder, exist_ok=True)
        return folder

    @cached_property
    def claim_folder(self) -> str:
        """Where a getter moves a file to read it: on the queue folder's file
        system, so the move is a rename and two getters cannot both win."""
        folder = self.transport_options.get("processed_folder") or os.path.join(
            os.path.dirname(os.path.abspath(self.data_folder_in)), "processed"
        )
        os.makedirs(folder, exist_ok=True)
        return str(folder)

    def _put(self, queue, payload, **kwargs) -> None:
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot and the suffix keep the half-written file out of every
        # getter's view (they match ``<stamp>_<uuid>.<queue>.msg`` only).
        temporary = os.path.join(self.data_folder_out, f".{name}{TEMP_SUFFIX}")
        try:
            with open(temporary, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as exc:
            _remove_quietly(temporary)
            raise filesystem.ChannelError(f"Cannot add file {name!r} to the queue") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                self._sweep_if_stale(name)
                continue
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.claim_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another getter took it first
            except OSError as exc:
                if exc.errno == errno.EXDEV:  # would skip every message, silently
                    raise filesystem.ChannelError(
                        "the processed folder must be on the queue folder's file system"
                    ) from exc
                continue
            message = self._read_claimed(claimed, name)
            if message is not None:
                return message
        raise Empty()

    def _read_claimed(self, path: str, name: str) -> dict | None:
        """The message in ``path`` (removed unless kept as processed), or None
        when it cannot be one: then the file is in quarantine."""
        try:
            with open(path, "rb") as source:
                message = loads(bytes_to_str(source.read()))
            if not _looks_like_a_message(message):
                raise ValueError("not a kombu message")
            if message.get("body"):  # what kombu does next, where an error stops the worker
                self.decode_body(message["body"], message["properties"].get("body_encoding"))
        except Exception as exc:  # noqa: BLE001 - no file may stop a worker
            self._quarantine(path, name, exc)
            return None
        if not self.store_processed:
            _remove_quietly(path)
        return message

    def _sweep_if_stale(self, name: str) -> None:
        """A temporary file left by a writer that died before its rename."""
        path = os.path.join(self.data_folder_in, name)
        try:
            stale = time.time() - os.stat(path).st_mtime > STALE_TEMP_SECONDS
        except OSError:
            return  # renamed into place meanwhile
        if stale:
            self._quarantine(path, name, TimeoutError("never finished being written"))

    def _quarantine(self, path: str, name: str, exc: Exception) -> None:
        target = os.path.join(self.quarantine_folder, name)
        try:
            os.replace(path, target)
        except OSError:
            _remove_quietly(path)
            target = "(removed)"
        log.warning("broker: unreadable message %s quarantined to %s (%s)", name, target, exc)


class Transport(filesystem.Transport):
    Channel = Channel


def _looks_like_a_message(message) -> bool:
    """What kombu's virtual Message reads without a KeyError."""
    if not isinstance(message, dict) or "body" not in message:
        return False
    properties = message.get("properties")
    return isinstance(properties, dict) and "delivery_tag" in properties and isinstance(
        properties.get("delivery_info"), dict
    )


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)
