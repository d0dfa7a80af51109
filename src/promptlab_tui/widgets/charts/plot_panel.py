"""A chart drawn by plotext inside a Textual widget (a thin one of our own), or its table, a key away.

plotext is imported on first draw (import `warm_up()` from a worker beforehand to keep it off the UI
thread). The chart is redrawn at the widget's size on resize and in the theme's colours; with NO_COLOR
set it is drawn without colour. plotext keeps global state: it is only used from the UI thread.
"""

from __future__ import annotations

import os
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from promptlab_tui.widgets.dashboard.dashboard_figures import ChartSpec, bar_lines, heat_lines, y_ticks


def warm_up() -> None:
    """Import plotext now (call from a worker thread: ~100 ms)."""
    import plotext  # noqa: F401  (imported for its side effect: cached in sys.modules)


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


def _rgb(color: Any) -> tuple[int, int, int]:
    rgb = color.rgb
    return int(rgb[0]), int(rgb[1]), int(rgb[2])


class PlotPanel(Widget):
    """One chart. `show_table` switches between the plot and a table of the same numbers.

    Drawn in `render()`, at the size the widget has when it is painted (so always its final size), and
    kept until the size, the data, the view or the theme change.
    """

    DEFAULT_CSS = "PlotPanel { height: 14; }"

    def __init__(self, spec: ChartSpec | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.show_table = False
        self._drawn: tuple[tuple, Any] | None = None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())

    def set_spec(self, spec: ChartSpec | None) -> None:
        if spec == self.spec:
            return  # the same numbers (e.g. a group switch leaves the daily chart as it is): no redraw
        self.spec = spec
        self.redraw()

    def toggle_table(self) -> None:
        self.show_table = not self.show_table
        self.redraw()

    def redraw(self) -> None:
        self._drawn = None
        self.refresh()

    def render(self) -> Any:
        spec = self.spec
        key = (spec, self.show_table, self.size, self.app.current_theme.name, no_color())
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        if spec is None:
            drawn: Any = Text("Loading…", style="dim")
        elif self.show_table:
            drawn = self._table(spec)
        elif spec.kind == "heat":
            drawn = self._heat(spec)
        elif spec.kind == "hbars":
            drawn = self._bars(spec)
        else:
            drawn = self._plot(spec)
        self._drawn = (key, drawn)
        return drawn

    # --- renderings --------------------------------------------------------------------------------
    def _colors(self) -> dict[str, Any]:
        theme = self.app.current_theme
        roles = {"primary": theme.primary, "secondary": theme.secondary or theme.primary,
                 "accent": theme.accent or theme.primary, "warning": theme.warning or theme.primary,
                 "error": theme.error or theme.primary, "foreground": theme.foreground or "#888888"}
        from textual.color import Color

        return {role: _rgb(Color.parse(value)) for role, value in roles.items()}

    def _plot(self, spec: ChartSpec) -> Text:
        width, height = max(20, self.size.width), max(6, self.size.height)
        if not spec.labels or not any(any(values) for _, values, _ in spec.series):
            return Text(f"{spec.title}\n\nNothing to draw in this period.", style="dim")
        import plotext as plt

        plain = no_color()
        colors = self._colors()
        plt.clf()
        plt.plotsize(width, height)
        plt.theme("clear")
        positions = list(range(1, len(spec.labels) + 1))
        for index, (name, values, role) in enumerate(spec.series):
            color = "default" if plain else colors[role]
            if spec.kind == "bars" and index == 0:
                plt.bar(positions, list(values), color=color, label=name, width=0.6)
            else:
                points = [(x, y) for x, y in zip(positions, values) if y]
                if points:
                    plt.plot([x for x, _ in points], [y for _, y in points], color=color, label=name,
                             marker="braille")
        if spec.hline is not None:
            plt.hline(spec.hline[1], "default" if plain else colors["error"])
        plt.xlim(0.5, len(positions) + 0.5)  # fixed: plotext keeps state between figures, this must not depend on it
        ticks, tick_labels = y_ticks(spec)
        if ticks:
            plt.ylim(0, ticks[-1])
            plt.yticks(ticks, tick_labels)
        step = -(-len(positions) // max(1, (width - 10) // 10))  # labels well apart: plotext nudges crowded ones
        plt.xticks(positions[::step], list(spec.labels[::step]))
        plt.title(spec.title)
        drawn = plt.build()
        return Text(plt.uncolorize(drawn)) if plain else Text.from_ansi(drawn)

    def _bars(self, spec: ChartSpec) -> Text:
        text = Text(f"{spec.title}\n", style="bold")
        values = spec.series[0][1] if spec.series else ()
        if not any(values):
            return text.append("\nNothing to draw in this period.", style="dim")
        color = None if no_color() else self.app.current_theme.secondary or self.app.current_theme.primary
        for label, bar, amount in bar_lines(spec.labels, values, spec.value_texts, max(30, self.size.width)):
            text.append(f"{label} ", style="dim")
            text.append(bar, style=color or "")
            text.append(f" {amount}\n")
        return text

    def _heat(self, spec: ChartSpec) -> Text:
        text = Text(f"{spec.title}\n", style="bold")
        width = max(30, self.size.width)
        cell = max(1, min(3, (width - 5) // 24))
        text.append("    " + "".join(f"{h:<{cell * 6}}" for h in (0, 6, 12, 18)).rstrip() + "\n", style="dim")
        color = None if no_color() else self.app.current_theme.primary
        for day, cells in heat_lines(spec.matrix, width):
            text.append(f"{day} ", style="dim")
            for cell_text, level in cells:
                style = "" if color is None or level == 0 else color
                text.append(cell_text, style=style)
            text.append("\n")
        text.append("· none  ░ ▒ ▓ █ more spend", style="dim")
        return text

    def _table(self, spec: ChartSpec) -> Table:
        table = Table(title=spec.title, expand=True, show_edge=False, pad_edge=False)
        for index, header in enumerate(spec.table_header):
            table.add_column(header, justify="left" if index == 0 else "right", overflow="ellipsis", no_wrap=True)
        for row in spec.table_rows:
            table.add_row(*row)
        return table
