"""Rich progress bars for the long steps (data, features, training, verification)."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)


@contextmanager
def bar(description: str, total: int):
    """A progress bar; yields update(done, info="") so callers need no rich types."""
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[info]}"),
                  console=console, transient=False) as p:
        task = p.add_task(description, total=total, info="")

        def update(done, info=""):
            p.update(task, completed=done, info=info)
        yield update
        p.update(task, completed=total)
