"""A documenter takes files into the vault: capture record, dedup, web captures, crashes."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone

import pytest
from django.db import IntegrityError

from kirok.evidence import services
from kirok.evidence.errors import EvidenceError
from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.storage import get_storage, pipeline
from kirok.records import history
from kirok.records.models import Source

from .conftest import synthetic_jpeg
from .test_storage import Broken, files_under

pytestmark = pytest.mark.django_db

KST = timezone(timedelta(hours=9))


def make_source(title="Testimony of witness A-12 (fictional)") -> Source:
    with history.changeset(actor="test", reason="set-up"):
        return Source.objects.create(title=title)


def test_a_file_becomes_an_item_with_its_capture_record_and_a_receipt(vocabularies, tmp_path):
    source = make_source()
    path = tmp_path / "interview-a12.wav"
    path.write_bytes(b"RIFF" + os.urandom(2000))
    capture = services.Capture(
        collector="Documenter K", collected_at=datetime(2024, 5, 1, 14, 30, tzinfo=KST), clock_source="device_clock",
        method="recording", tool="Zoom H5", tool_version="2.1", device="recorder #3", origin_kind="interview",
        origin="interview A-12, Seoul", notes="48 kHz stereo",
    )
    intake = services.add_file(path, source=source, capture=capture, actor="documenter k", reason="interview recording")
    item = Item.objects.get(pk=intake.item.pk)
    assert intake.created and item.is_original
    assert item.sha256 == pipeline.run(io.BytesIO(path.read_bytes())).sha256 and item.size == 2004
    assert (item.source, item.original_name, item.media_type) == (source, "interview-a12.wav", "audio/x-wav")
    record = item.capture_record()
    assert record["collected_at"] == "2024-05-01T05:30:00.000000+00:00"  # kept in UTC
    assert {k: record[k] for k in ("collector", "clock_source", "method", "tool", "tool_version", "device", "origin_kind", "origin")} == {
        "collector": "Documenter K", "clock_source": "device_clock", "method": "recording", "tool": "Zoom H5",
        "tool_version": "2.1", "device": "recorder #3", "origin_kind": "interview", "origin": "interview A-12, Seoul",
    }
    [event] = services.custody_of(item)
    assert (event.action, event.actor, event.reason) == ("received", "documenter k", "interview recording")
    assert get_storage().path(item.sha256).read_bytes() == path.read_bytes()


def test_without_a_time_the_clock_and_its_synchronisation_are_recorded(vocabularies, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("handwritten note, transcribed (fictional)")
    before = datetime.now(timezone.utc)
    item = services.add_file(path).item
    assert before <= item.collected_at <= datetime.now(timezone.utc)
    assert item.clock_source in ("ntp_synchronised", "system_clock")
    assert (item.origin_kind, item.origin) == ("file", str(path.absolute()))
    assert item.media_type == "text/plain"
    assert services.custody_of(item)[0].actor == "system"


def test_the_same_bytes_again_are_the_same_item_with_a_second_receipt(vocabularies, tmp_path):
    first_path, second_path = tmp_path / "video.mp4", tmp_path / "copy-from-partner.mp4"
    first_path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 5000)
    second_path.write_bytes(first_path.read_bytes())
    first = services.add_file(first_path, actor="collector 1", reason="downloaded")
    second = services.add_file(second_path, capture=services.Capture(origin_kind="partner", origin="NGO B, by courier"),
                               actor="collector 2", reason="partner hand-over")
    assert first.created and not second.created and second.item.pk == first.item.pk
    assert Item.objects.count() == 1
    assert len(list(get_storage().names())) == 1
    events = list(services.custody_of(first.item))
    assert [e.action for e in events] == ["received", "received"]
    again = events[1].details
    assert again["again"] is True and again["original_name"] == "copy-from-partner.mp4"
    assert again["capture"]["origin"] == "NGO B, by courier" and events[1].actor == "collector 2"


@pytest.mark.parametrize("capture, message", [
    (services.Capture(method="telepathy"), "method: 'telepathy' is not a term of capture_methods; use one of: web_archive"),
    (services.Capture(origin_kind="rumour"), "origin_kind: 'rumour' is not a term of origin_kinds"),
    (services.Capture(clock_source="sundial", collected_at=datetime(2020, 1, 1, tzinfo=timezone.utc)), "clock_source: 'sundial'"),
    (services.Capture(collected_at=datetime(2020, 1, 1, 9, 0)), "has no time zone"),
    (services.Capture(origin_kind="web", origin="somewhere on the internet"), "needs the URL it was captured from"),
])
def test_a_bad_capture_record_is_refused_before_anything_is_stored(vocabularies, tmp_path, capture, message):
    path = tmp_path / "x.bin"
    path.write_bytes(b"x")
    with pytest.raises(EvidenceError, match=message.replace("(", r"\(")):
        services.add_file(path, capture=capture)
    assert Item.objects.count() == 0 and files_under(get_storage().root) == []


def test_missing_vocabularies_say_to_run_init(db, workspace, tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"x")
    with pytest.raises(EvidenceError, match="the vocabulary clock_sources is not loaded; run `kirok init`"):
        services.add_file(path)


def test_unreadable_paths_are_named(vocabularies, tmp_path):
    with pytest.raises(EvidenceError, match=f"{tmp_path / 'nope.jpg'} cannot be read"):
        services.add_file(tmp_path / "nope.jpg")
    with pytest.raises(EvidenceError, match="is a folder"):
        services.add_file(tmp_path)


def test_a_web_capture_keeps_url_html_source_and_full_page_capture_as_linked_items(vocabularies, tmp_path):
    url = "https://example.org/news/2024/public-trial"
    html, shot, video = tmp_path / "page.html", tmp_path / "page.png", tmp_path / "clip.mp4"
    html.write_text("<html><body>public trial report (synthetic)</body></html>")
    synthetic_jpeg(tmp_path / "tmp.jpg", gps=False)
    shot.write_bytes((tmp_path / "tmp.jpg").read_bytes())
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42synthetic")
    web = services.Capture(origin_kind="web", origin=url, method="web_archive", tool="browsertrix-crawler", tool_version="1.2")
    html_item = services.add_file(html, capture=web).item
    shot_item = services.add_file(shot, capture=web).item
    item = services.add_file(video, capture=web, html_source=html_item, page_capture=shot_item).item
    record = item.capture_record()
    assert record["origin"] == url and record["html_source"] == html_item.sha256 and record["page_capture"] == shot_item.sha256
    assert html_item.media_type == "text/html" and shot_item.media_type == "image/jpeg"  # recognised by content, not name


def test_linked_parts_need_a_web_origin(vocabularies, tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<html></html>")
    part = services.add_file(html, capture=services.Capture(origin_kind="web", origin="https://example.org/")).item
    with pytest.raises(EvidenceError, match="belongs to a web item"):
        services.add_file(html, capture=services.Capture(origin_kind="file", origin="/x"), html_source=part)


def test_a_crash_mid_write_leaves_no_blob_and_no_row(vocabularies):
    before = (Item.objects.count(), CustodyEvent.objects.count())
    with pytest.raises(OSError, match="simulated"):
        services.add_stream(Broken(after=pipeline.CHUNK_SIZE + 5), name="upload.bin")
    assert (Item.objects.count(), CustodyEvent.objects.count()) == before
    assert files_under(get_storage().root) == []


def test_a_failure_after_the_blob_leaves_no_row_and_the_next_intake_takes_it_up(vocabularies, tmp_path):
    """The register write fails (here: a ledger receiver refuses): the blob stays, unregistered."""
    from kirok.evidence.signals import custody_recorded

    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 synthetic scan")

    def refuse(sender, event, **kwargs):
        raise IntegrityError("ledger unavailable (simulated)")

    custody_recorded.connect(refuse)
    try:
        with pytest.raises(IntegrityError, match="ledger unavailable"):
            services.add_file(path)
    finally:
        custody_recorded.disconnect(refuse)
    assert Item.objects.count() == 0 and CustodyEvent.objects.count() == 0
    report = services.verify_vault()
    assert report.ok and len(report.unregistered) == 1
    item = services.add_file(path).item
    assert item.sha256 == report.unregistered[0] and services.verify_vault().unregistered == []


def test_a_killed_intake_leaves_only_a_partial_write_that_verify_points_out(vocabularies, tmp_path):
    """A process killed mid-write cannot clean up: its temporary file is never a blob."""
    import signal
    import subprocess
    import sys
    import time

    root = get_storage().root
    script = (
        "import sys, os\n"
        "from kirok.evidence.storage import LocalStorage\n"
        "def chunks():\n"
        "    while True:\n"
        "        yield os.urandom(1 << 20)\n"
        f"LocalStorage({str(root)!r}).put(chunks())\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size > 16 << 20 for p in root.glob(".incoming.*.part")):
            assert time.monotonic() < deadline and child.poll() is None, "the child never started writing"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert list(get_storage().names()) == []
    report = services.verify_vault()
    assert report.ok and [os.path.basename(p) for p in report.leftovers] == [p.name for p in root.glob(".incoming.*.part")]
