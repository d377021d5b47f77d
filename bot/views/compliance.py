"""The chat summary of the SOP compliance report (`/kepatuhan`), from the catalogue.

The .docx carries the full monitoring form; the message says in a few lines what an
official wants before opening it: per SOP how many runs kept the standard, how many
steps are judged working well, and the slowest steps with whom they waited on. Step
titles are the parts `fit` may shorten, so the message stays within Telegram's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bot.core.compliance import AuditPeriod, ComplianceReport, SopFigures
from bot.core.people import Directory
from bot.views.fmt import format_minutes, format_percent
from bot.views.i18n import Catalogue, Raw
from bot.views.textsplit import fit, typed

SLOWEST_SHOWN = 3
ROMAN = ("I", "II", "III", "IV")


def period_label(catalogue: Catalogue, lang: str, period: AuditPeriod) -> str:
    """ "Triwulan II Tahun 2026", "Tahun 2026" (plain text: also a document's title)."""
    if period.quarter is None:
        return catalogue.plain(lang, "compliance.period_year", year=period.year)
    return catalogue.plain(
        lang, "compliance.period_quarter", quarter=ROMAN[period.quarter - 1], year=period.year
    )


def share_text(share: Fraction | None, lang: str) -> str:
    """ "85,71%"; "-" for a step that did not run."""
    return "-" if share is None else format_percent(float(share * 100), lang=lang)


@dataclass(frozen=True, slots=True)
class ComplianceViews:
    catalogue: Catalogue
    people: Directory
    minutes_per_day: int
    lang: str

    def _t(self, key: str, **params: object) -> str:
        return self.catalogue.text(self.lang, key, **params)

    def summary(self, report: ComplianceReport, threshold: int) -> str:
        period = period_label(self.catalogue, self.lang, report.period)
        blocks = [self._t("compliance.title", period=period)]
        if not report.sops:
            blocks.append(self._t("compliance.none", period=period))
            return fit("\n\n".join(blocks))
        blocks += [self._sop(sop, threshold) for sop in report.sops]
        blocks.append(self._t("compliance.document"))
        return fit("\n\n".join(blocks))

    def _sop(self, sop: SopFigures, threshold: int) -> str:
        runs = sum(step.runs for step in sop.steps)
        within = sum(step.within for step in sop.steps)
        verdicts = [step.judged_good(threshold) for step in sop.steps]
        lines = [
            self._t(
                "compliance.sop",
                sop_title=sop.title,
                cases=sop.cases,
                runs=runs,
                within=within,
                share=share_text(Fraction(within, runs) if runs else None, self.lang),
            ),
            self._t(
                "compliance.judged",
                good=verdicts.count(True),
                bad=verdicts.count(False),
                idle=verdicts.count(None),
                threshold=threshold,
            ),
        ]
        returns = sum(step.returns for step in sop.steps)
        if returns:
            lines.append(self._t("compliance.returns", count=returns))
        slowest = sop.slowest(SLOWEST_SHOWN)
        if slowest:
            lines.append(self._t("compliance.slowest"))
        for step in slowest:
            lines.append(
                self._t(
                    "compliance.slow_step",
                    number=step.number,
                    title=Raw(typed(self._escape(step.title))),
                    late=format_minutes(step.late_minutes, self.minutes_per_day, self.lang),
                    rounds=sum(wait.rounds for wait in step.waits_on),
                    names="; ".join(self.people.name(w.officer) for w in step.waits_on),
                )
            )
        return "\n".join(lines)

    def _escape(self, text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
