"""flows.progress.stderr_progress: the CLI's progress display goes to stderr, and to nowhere when disabled."""

from __future__ import annotations

from rich.progress import TextColumn

from flows.progress import stderr_progress


def test_progress_is_drawn_on_stderr_with_the_tasks_fields(capsys) -> None:
    with stderr_progress(True, TextColumn("done {task.completed:.0f} of {task.total:.0f}, {task.fields[what]}"),
                         total=10, what="files") as update:
        update(advance=3)
        update(advance=4, what="records")
    out, err = capsys.readouterr()
    assert out == "" and "done 7 of 10, records" in err


def test_disabled_progress_draws_nothing_and_takes_any_update(capsys) -> None:
    with stderr_progress(False, TextColumn("never"), total=10) as update:
        update(advance=3, what="x")
    assert capsys.readouterr() == ("", "")
