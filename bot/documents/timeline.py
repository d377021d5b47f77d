"""The timeline chart: each step a bar of working time taken beside its time standard.

One picture answers what the performance table makes people read line by line: which
step took long, against what it was allowed. Used for one case (`/status <case>`: each
round a bar) and for the compliance report (each step's median over the period, its
longest run marked). Bars over the standard are red; a round that sent the case back
carries the return mark.

matplotlib is imported only when a chart is drawn, so the bot starts without it, and
only its object API with the Agg canvas is used (no pyplot: no global figure state
shared between the threads that render documents).

The bar's length is the working minutes themselves (the x axis is in minutes, shown on a
symmetric-log scale so a 10-minute step and a 3-day step are both visible), which is
what lets a test read the figures back from the drawing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.core.compliance import SopFigures
from bot.core.performance import CasePerformance
from bot.views.fmt import format_minutes
from bot.views.i18n import Catalogue
from bot.views.textsplit import shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "OVERDUE_COLOUR",
    "USED_COLOUR",
    "Bar",
    "Timeline",
    "case_timeline",
    "compliance_timeline",
    "draw_timeline",
    "render_timeline",
]

USED_COLOUR: Final = "#2e7d32"
OVERDUE_COLOUR: Final = "#c62828"
STANDARD_COLOUR: Final = "#b0bec5"
LONGEST_COLOUR: Final = "#37474f"
USED_GID: Final = "used"  # each used bar's gid is "used:<index>"
STANDARD_GID: Final = "standard"
LABEL_CHARS: Final = 34
LINEAR_MINUTES: Final = 60  # the scale is linear up to an hour, logarithmic beyond


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # "5. Memeriksa ..." or "5. Memeriksa ... (2)"
    minutes: float  # working minutes taken (the median, for a period)
    standard_minutes: int
    overdue: bool
    returns: int  # how often this bar's step sent the case back
    value_text: str  # the minutes in words, printed at the bar's end
    longest: int | None = None  # the period's longest run, marked on the bar


@dataclass(frozen=True, slots=True)
class Timeline:
    title: str
    bars: tuple[Bar, ...]
    used_label: str
    standard_label: str
    returned_label: str
    longest_label: str
    axis_label: str


def _words(catalogue: Catalogue, lang: str) -> dict[str, str]:
    return {
        "used_label": catalogue.plain(lang, "chart.used"),
        "standard_label": catalogue.plain(lang, "chart.standard"),
        "returned_label": catalogue.plain(lang, "chart.returned"),
        "longest_label": catalogue.plain(lang, "chart.longest"),
        "axis_label": catalogue.plain(lang, "chart.axis"),
    }


def case_timeline(
    title: str,
    performance: CasePerformance,
    catalogue: Catalogue,
    lang: str,
    minutes_per_day: int,
) -> Timeline:
    """Every round of a case in the order it ran (a step run again is a bar again)."""
    bars = tuple(
        Bar(
            label=shorten(f"{run.number}. {run.title}", LABEL_CHARS)
            + (f" ({run.round})" if run.round > 1 else ""),
            minutes=run.used_minutes,
            standard_minutes=run.standard_minutes,
            overdue=not run.on_time,
            returns=len(run.returns),
            value_text=format_minutes(run.used_minutes, minutes_per_day, lang),
        )
        for run in performance.steps
    )
    return Timeline(title, bars, **_words(catalogue, lang))


def compliance_timeline(
    title: str, sop: SopFigures, catalogue: Catalogue, lang: str, minutes_per_day: int
) -> Timeline:
    """Each step that ran in the period: its median time, its longest run marked."""
    bars = []
    for step in sop.steps:
        median = step.median_minutes
        if median is None:
            continue
        bars.append(
            Bar(
                label=shorten(f"{step.number}. {step.title}", LABEL_CHARS),
                minutes=median,
                standard_minutes=step.standard_minutes,
                overdue=median > step.standard_minutes,
                returns=step.returns,
                value_text=format_minutes(round(median), minutes_per_day, lang),
                longest=step.max_minutes,
            )
        )
    return Timeline(title, tuple(bars), **_words(catalogue, lang))


def draw_timeline(timeline: Timeline) -> Figure:
    """The chart as a matplotlib figure (Agg canvas attached): the first bar on top."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    count = max(len(timeline.bars), 1)
    figure = Figure(figsize=(9.0, 1.2 + 0.42 * count), dpi=120)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    positions = [count - 1 - i for i in range(len(timeline.bars))]  # the first on top
    for index, (bar, y) in enumerate(zip(timeline.bars, positions, strict=True)):
        colour = OVERDUE_COLOUR if bar.overdue else USED_COLOUR
        [standard] = ax.barh(y - 0.2, bar.standard_minutes, height=0.36, color=STANDARD_COLOUR)
        standard.set_gid(f"{STANDARD_GID}:{index}")
        [used] = ax.barh(y + 0.2, bar.minutes, height=0.36, color=colour)
        used.set_gid(f"{USED_GID}:{index}")
        note = bar.value_text + ("  ↩" * min(bar.returns, 3) if bar.returns else "")
        ax.text(bar.minutes, y + 0.2, "  " + note, va="center", fontsize=7)
        if bar.longest is not None and bar.longest != bar.minutes:
            ax.plot([bar.longest], [y + 0.2], marker="D", markersize=4, color=LONGEST_COLOUR)
    ax.set_yticks(positions, [bar.label for bar in timeline.bars], fontsize=8)
    ax.set_xscale("symlog", linthresh=LINEAR_MINUTES)
    ax.set_xlim(left=0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.set_xlabel(timeline.axis_label, fontsize=8)
    ax.set_title(timeline.title, fontsize=10)
    ax.tick_params(axis="x", labelsize=7)
    handles = [
        Patch(color=USED_COLOUR, label=timeline.used_label),
        Patch(color=OVERDUE_COLOUR, label=timeline.used_label + " > " + timeline.standard_label),
        Patch(color=STANDARD_COLOUR, label=timeline.standard_label),
    ]
    if any(bar.returns for bar in timeline.bars):
        handles.append(Patch(color="white", label="↩ " + timeline.returned_label))
    if any(bar.longest is not None for bar in timeline.bars):
        handles.append(Patch(color=LONGEST_COLOUR, label="◆ " + timeline.longest_label))
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    figure.tight_layout()
    return figure


def render_timeline(timeline: Timeline) -> bytes:
    """The chart as PNG bytes, for a photo in chat or an image in a .docx."""
    out = io.BytesIO()
    draw_timeline(timeline).savefig(out, format="png")
    return out.getvalue()
