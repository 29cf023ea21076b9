"""The baseline for a room of screens: a bare Textual app updating ten clocks once a second
(the reference in shared/notes/baselines.md), started the same way as mopstui."""

import time

from textual.app import App
from textual.widgets import Static


class Clocks(App):
    def compose(self):
        yield Static("CLOCKS-READY")
        for index in range(10):
            yield Static(id=f"c{index}")

    def on_mount(self) -> None:
        self.started = time.monotonic()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        elapsed = int(time.monotonic() - self.started)
        for index in range(10):
            self.query_one(f"#c{index}", Static).update(f"clock {index}: {elapsed // 60:02d}:{elapsed % 60:02d}")


if __name__ == "__main__":
    Clocks().run()
