"""The broker restarted under a running worker: the worker reconnects and serves on.

Celery promises that a worker reconnects to a restarted broker. kombu 5.7.0
broke it: on the lost connection the worker restored its unacknowledged
messages through a channel whose connection was already closed
(``AttributeError: 'NoneType' object has no attribute 'hostname'`` in
``restore_unacked``) and exited, so work stopped until something restarted it.
"""

from __future__ import annotations

import time

import pytest
from kombu import Exchange, Queue

from tests.support.scenarios import make_batch, outcome
from tests.support.waiting import wait_until
from waybrief.celery import app


def test_a_channel_closing_after_its_connection_was_released_restores_nothing_and_raises_nothing(
    private_redis,
):
    """GIVEN the project's broker connection (as a worker opens it) on a private Redis,
    and a message delivered and not yet acknowledged
    WHEN its connection is released first and its channel closed afterwards (the
    order a worker that lost its broker reached: kombu 5.7.0 then raised
    AttributeError 'hostname' from restore_unacked, and the worker exited)
    THEN closing raises nothing, and the message is not lost: Redis hands it out
    again once its visibility timeout has passed."""
    broker = private_redis()
    queue = Queue("restart-probe", Exchange("restart-probe"), "restart-probe")
    options = {"visibility_timeout": 1}
    connection = app.connection_for_write(broker.url, transport_options=options)
    channel = connection.channel()
    connection.Producer(channel=channel).publish({"n": 1}, exchange=queue.exchange,
                                                 routing_key=queue.routing_key, declare=[queue])
    assert channel.basic_get(queue.name, no_ack=False) is not None

    channel._disconnect_pools()  # the lost connection's pools are gone
    connection._do_close_transport()  # and the connection released, before the channel
    channel.close()

    time.sleep(1.5)
    with app.connection_for_write(broker.url, transport_options=options) as again:
        fresh = again.channel()
        fresh.qos.restore_visible()
        assert fresh.basic_get(queue.name, no_ack=True).payload == {"n": 1}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_same_worker_survives_its_redis_killed_twice_in_a_row_while_tasks_run(
    private_redis, workers, wayback, model, pages
):
    """GIVEN one worker (with beat) busy with 40 captures and 4 summaries on a Redis
    with appendonly
    WHEN Redis gets SIGKILL while saves and a summary are in flight, is restarted,
    and gets SIGKILL again a few seconds later, and is restarted again
    THEN the same worker process is still running (nothing restarted it), and
    every unit finishes once: no row left open, no URL saved twice."""
    broker = private_redis(appendonly=True)
    wayback.job_seconds, model.delay = 0.5, 0.2
    batch = make_batch("restart", 40, 4, pages)
    (worker,) = workers(broker.url, beat=True)
    batch.ring(broker.url)
    wait_until(batch.in_flight, timeout=30, interval=0.05)

    for _ in range(2):
        broker.kill()
        time.sleep(1.0)
        broker.start()
        time.sleep(4.0)  # the worker reconnects, and is busy again, before the next kill
        assert worker.poll() is None, worker.log.read_text()[-3000:]
    assert not batch.all_final(), "everything ended before the kills; the test proves nothing"
    wait_until(lambda: batch.all_final() or worker.poll() is not None, timeout=150, interval=0.5)

    assert worker.poll() is None, f"the worker exited:\n{worker.log.read_text()[-3000:]}"
    result = outcome(batch, wayback)
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.states == {"archived": 40, "done": 4}
