"""The cold-start baseline: a bare Textual app (Header, TextArea, Static, Footer), nothing else."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static, TextArea


class BareApp(App):
    TITLE = "bare"

    def compose(self) -> ComposeResult:
        yield Header()
        yield TextArea("Write a prompt here.")
        yield Static("Preview: 0 tokens")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
