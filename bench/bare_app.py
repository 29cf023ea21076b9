"""The baseline: a bare Textual app with one line of text, started the same way as mopstui."""

from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("BARE-READY")


if __name__ == "__main__":
    Bare().run()
