"""kombu's Redis transport, made to survive the broker restarting under a worker.

kombu 5.7.0 (and earlier) restores a channel's unacknowledged messages when
the channel closes. When the connection was lost, celery first releases the
connection and closes the channels afterwards; the restore then asks the
released connection for its address and raises ``AttributeError: 'NoneType'
object has no attribute 'hostname'``, which celery does not count as a
connection error, so the worker can exit instead of reconnecting.

Here a channel whose connection is gone does not try: the messages stay in
Redis's unacked index, whence the transport restores them after the
visibility timeout, and the ledger's reconciler re-rings their rows long
before that (a second delivery of a finished row is a no-op). Anything else
that asks a released connection for a client gets a Redis ``ConnectionError``,
which celery handles by reconnecting.
"""

from __future__ import annotations

import logging

import redis
from kombu.transport import redis as kombu_redis

log = logging.getLogger(__name__)


def _released(channel) -> bool:
    return channel.connection is None or channel.connection.client is None


class QoS(kombu_redis.QoS):
    def restore_unacked(self, client=None):
        if client is None and _released(self.channel):
            if self._delivered:
                log.warning(
                    "broker connection gone: %d unacknowledged message(s) left to Redis "
                    "(restored after the visibility timeout; the reconciler re-rings sooner)",
                    len(self._delivered),
                )
            self._delivered.clear()
            return None
        return super().restore_unacked(client)


class Channel(kombu_redis.Channel):
    QoS = QoS

    def _connparams(self, asynchronous: bool = False):
        if _released(self):
            raise redis.ConnectionError("the broker connection was already released")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
