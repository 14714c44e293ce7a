"""The benchmark's virtual terminal reads a frame the same however the reads cut it."""

from __future__ import annotations

from bench.terminal import Screen

FRAME = (b"\x1b[?2026h\x1b[1;1H\x1b[1;38;2;255;166;43;48;2;36;47;56m g Metrics\x1b[0m "
         b"\xe2\x94\x80 done\x1b]0;title\x07\x1b[2;3Hx\x1b[?2026l")


def test_every_cut_of_a_frame_reads_the_same() -> None:
    for cut in range(1, len(FRAME)):
        screen = Screen(40, 2)
        screen.feed(FRAME[:cut])
        screen.feed(FRAME[cut:])
        assert screen.text().splitlines() == [" g Metrics ─ done".ljust(40), "  x".ljust(40)], cut
        assert screen.frames == 1 and not screen.in_sync
