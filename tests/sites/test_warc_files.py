"""WARC files survive a killed writer: cut back to whole records, then completed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.sites import warc_child
from tests.support.waiting import ROOT, wait_until
from waybrief.warc import Copies, WarcWriter
from waybrief.warc.members import whole_members_length
from waybrief.warc.tools import check


def records(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as stream:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "")
                for r in ArchiveIterator(stream)]


def killed_mid_record(folder: Path) -> Path:
    """Start the child writer, SIGKILL it while it writes its large record."""
    marker = folder / "small-records-written"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "tests.sites.warc_child", str(folder / "w"),
                              str(marker)], cwd=ROOT, env=env)
    try:
        wait_until(marker.exists, timeout=30)
        small = int(marker.read_text())
        (open_file,) = (folder / "w").glob("*.warc.gz.open")
        wait_until(lambda: open_file.stat().st_size > small + 256 * 1024, timeout=30)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return open_file


def test_a_writer_killed_mid_record_leaves_no_corrupt_file_and_the_rerun_completes_it(tmp_path):
    """GIVEN a writer SIGKILLed halfway through a record WHEN the next run
    opens the folder THEN the dead file is cut back to its whole records and
    closed, it passes warcio's checker, and the run writes the lost record."""
    open_file = killed_mid_record(tmp_path)
    size = open_file.stat().st_size
    assert whole_members_length(open_file.open("rb")) < size  # the kill did cut a record
    assert not list((tmp_path / "w").glob("*.warc.gz"))  # no whole-looking name yet

    with WarcWriter(tmp_path / "w", max_file_bytes=10**9) as resumed:
        recovered = sorted((tmp_path / "w").glob("*.warc.gz"))
        assert not open_file.exists() and len(recovered) == 1
        passed, report = check(recovered[0])
        assert passed, report
        assert records(recovered[0]) == [
            ("warcinfo", ""),
            ("response", "http://blog.test/post/1"), ("request", "http://blog.test/post/1"),
            ("response", "http://blog.test/post/2"), ("request", "http://blog.test/post/2"),
        ]
        assert "http://blog.test/post/3" not in Copies(tmp_path / "w")
        resumed.record(warc_child.exchange("/post/3", b"<p>the third post, again</p>"))

    files = sorted((tmp_path / "w").glob("*.warc.gz"))
    assert len(files) == 2 and all(check(path)[0] for path in files)
    copies = Copies(tmp_path / "w")
    page = copies.page("http://blog.test/post/3", max_bytes=2**20)
    assert page.body == b"<p>the third post, again</p>"
    assert copies.page("http://blog.test/post/1", max_bytes=2**20).body == warc_child.small(1)


def test_files_rotate_at_the_size_given_and_each_passes_the_checker(tmp_path):
    with WarcWriter(tmp_path, max_file_bytes=64 * 1024) as writer:
        for n in range(40):
            writer.record(warc_child.exchange(f"/post/{n}", os.urandom(8 * 1024)))
    files = sorted(tmp_path.glob("*.warc.gz"))

    assert 4 <= len(files) <= 6
    assert all(path.stat().st_size < 64 * 1024 + 12 * 1024 for path in files)
    assert all(check(path)[0] for path in files)
    assert len(Copies(tmp_path)) == 40
    assert not list(tmp_path.glob("*.open"))


def test_an_unchanged_payload_is_kept_once_and_later_as_a_revisit(tmp_path):
    body = warc_child.small(7)
    with WarcWriter(tmp_path, max_file_bytes=10**9) as writer:
        writer.record(warc_child.exchange("/post/7", body))
    with WarcWriter(tmp_path, max_file_bytes=10**9) as writer:  # a later crawl
        writer.record(warc_child.exchange("/post/7", body))
    later = sorted(tmp_path.glob("*.warc.gz"))[-1]

    assert [kind for kind, _ in records(later)] == ["warcinfo", "revisit", "request"]
    assert check(later)[0]
    assert Copies(tmp_path).page("http://blog.test/post/7", max_bytes=2**20).body == body


def test_a_live_writers_open_file_is_left_alone(tmp_path):
    """A second process in the folder must not close a file still being written."""
    with WarcWriter(tmp_path, max_file_bytes=10**9) as first:
        first.record(warc_child.exchange("/post/1", warc_child.small(1)))
        WarcWriter(tmp_path, max_file_bytes=10**9).close()
        assert len(list(tmp_path.glob("*.warc.gz.open"))) == 1
    assert len(list(tmp_path.glob("*.warc.gz"))) == 1
