"""Capaian, predikat and budget arithmetic: every edge the report table can show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.documents import demo
from bot.documents.capaian import (
    NO_REALISASI,
    TARGET_NEGATIVE,
    TARGET_ZERO,
    TARGET_ZERO_MET,
    TARGET_ZERO_MISSED,
    Capaian,
    budget_totals,
    compute_capaian,
    evaluate_budget,
    evaluate_indicator,
    percent,
    summarize,
)
from bot.documents.model import BudgetRow, IndicatorRow
from bot.documents.predikat import DEFAULT_BANDS, Band, PredikatBands, PredikatBandsError
from bot.documents.rules import CapaianRules, TargetZeroRule

D = Decimal


class TestCompute:
    def test_higher_is_better(self) -> None:
        assert compute_capaian(D("47.5"), D("44.2")) == Capaian(D("93.05"))

    def test_lower_is_better(self) -> None:
        # AKI: target 90, realisasi 85 -> (90 - (85 - 90)) / 90 = 105,56 %
        assert compute_capaian(D(90), D(85), higher_is_better=False) == Capaian(D("105.56"))
        # AKB: target 8, realisasi 9,2 -> (8 - 1,2) / 8 = 85 %
        assert compute_capaian(D(8), D("9.2"), higher_is_better=False) == Capaian(D("85.00"))

    def test_lower_is_better_far_above_target_goes_negative_not_clamped(self) -> None:
        assert compute_capaian(D(10), D(25), higher_is_better=False) == Capaian(D("-50.00"))

    def test_target_zero_unmeasured_under_tidak_diukur_with_reason(self) -> None:
        rule = TargetZeroRule.TIDAK_DIUKUR
        assert compute_capaian(D(0), D(0), False, rule) == Capaian(None, TARGET_ZERO)
        assert compute_capaian(D(0), D(3), True, rule) == Capaian(None, TARGET_ZERO)
        assert TARGET_ZERO == "target 0"

    def test_target_zero_by_default_binary_when_lower_is_better(self) -> None:
        assert compute_capaian(D(0), D(0), higher_is_better=False) == Capaian(
            D("100.00"), TARGET_ZERO_MET
        )
        assert compute_capaian(D(0), D(3), higher_is_better=False) == Capaian(
            D("0.00"), TARGET_ZERO_MISSED
        )
        # higher-is-better with target 0 stays unmeasurable under the default too
        assert compute_capaian(D(0), D(3)) == Capaian(None, TARGET_ZERO)

    def test_missing_realisasi(self) -> None:
        assert compute_capaian(D(85), None) == Capaian(None, NO_REALISASI)
        assert NO_REALISASI == "belum ada realisasi"

    def test_negative_target(self) -> None:
        assert compute_capaian(D(-2), D(1)) == Capaian(None, TARGET_NEGATIVE)

    def test_rounds_half_up_to_two_decimals(self) -> None:
        # 0,125 % would be 0,12 under half-even
        assert compute_capaian(D(1000), D("1.25")) == Capaian(D("0.13"))
        assert compute_capaian(D(3), D(2)) == Capaian(D("66.67"))

    @given(
        target=st.decimals(min_value=D("0.01"), max_value=D(10**6), places=2),
        realisasi=st.decimals(min_value=D(0), max_value=D(10**6), places=2),
    )
    def test_lower_is_better_mirrors_higher_around_100(
        self, target: Decimal, realisasi: Decimal
    ) -> None:
        higher = compute_capaian(target, realisasi).value
        lower = compute_capaian(target, realisasi, higher_is_better=False).value
        assert higher is not None and lower is not None
        # (t - (r - t)) / t = 2 - r / t, up to one cent of rounding
        assert abs((D(200) - higher) - lower) <= D("0.01")


class TestDefaultBands:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("150", "Sangat Baik"),
            ("100.01", "Sangat Baik"),
            ("91", "Sangat Baik"),
            ("90.99", "Baik"),
            ("90.5", "Baik"),
            ("76", "Baik"),
            ("75.99", "Cukup"),
            ("66", "Cukup"),
            ("65.5", "Kurang"),
            ("51", "Kurang"),
            ("50.99", "Sangat Kurang"),
            ("50", "Sangat Kurang"),
            ("0", "Sangat Kurang"),
            ("-40", "Sangat Kurang"),
        ],
    )
    def test_band_of(self, value: str, expected: str) -> None:
        assert DEFAULT_BANDS.predikat(D(value)) == expected

    def test_none_has_no_predikat(self) -> None:
        assert DEFAULT_BANDS.predikat(None) is None

    def test_legend(self) -> None:
        assert DEFAULT_BANDS.describe() == (
            "91–100 Sangat Baik; 76–90 Baik; 66–75 Cukup; 51–65 Kurang; ≤50 Sangat Kurang"
        )


class TestBandsFromMapping:
    def test_lower_bounds_as_numbers(self) -> None:
        bands = PredikatBands.from_mapping({"Tinggi": 80, "Sedang": 60.5, "Rendah": 0})
        assert [b.label for b in bands.bands] == ["Tinggi", "Sedang", "Rendah"]
        assert bands.predikat(D("60.5")) == "Sedang"
        assert bands.predikat(D("60.49")) == "Rendah"
        assert bands.predikat(D(-5)) == "Rendah"  # below the lowest minimum: lowest band

    def test_strings_in_any_order(self) -> None:
        bands = PredikatBands.from_mapping(
            {"Rendah": "<= 59", "Sangat Tinggi": ">=90", "Tinggi": "60 s.d. 89,99"}
        )
        assert bands.bands == (
            Band("Sangat Tinggi", D(90)),
            Band("Tinggi", D(60), D("89.99")),
            Band("Rendah", None, D(59)),
        )
        assert bands.describe() == "≥90 Sangat Tinggi; 60–89,99 Tinggi; ≤59 Rendah"

    def test_every_problem_reported_at_once(self) -> None:
        with pytest.raises(PredikatBandsError) as info:
            PredikatBands.from_mapping(
                {"A": "sembilan puluh", "B": True, "C": "<=50", "D": "<=40", "E": [1]}
            )
        assert info.value.problems == (
            'predikat "A": "sembilan puluh" tidak dapat dibaca; tulis seperti "76-90", '
            '">=91", "<=50" atau satu angka batas bawah',
            'predikat "B": batas True bukan angka',
            'predikat "E": batas harus angka atau teks seperti "76-90", ">=91" atau "<=50", '
            "bukan list",
            'predikat: lebih dari satu predikat terbawah (<=): "C", "D"',
        )

    def test_overlap_and_gap(self) -> None:
        with pytest.raises(PredikatBandsError) as info:
            PredikatBands.from_mapping({"A": "80-100", "B": "60-85", "C": "<=50"})
        assert info.value.problems == (
            'predikat "B" (85) tumpang tindih dengan "A" (mulai 80)',
            'predikat: celah antara 50 ("C") dan 60 ("B")',
        )

    def test_reversed_range_duplicate_minimum_and_too_few(self) -> None:
        with pytest.raises(PredikatBandsError) as info:
            PredikatBands.from_mapping({"A": "90-80"})
        assert info.value.problems == (
            'predikat "A": batas bawah 90 lebih besar dari batas atas 80',
            "predikat: paling sedikit dua predikat diperlukan",
        )
        with pytest.raises(PredikatBandsError) as info:
            PredikatBands.from_mapping({"A": 50, " ": 10, "B": "50"})
        assert info.value.problems == (
            "predikat: ada label kosong",
            'predikat "B": batas bawah 50 sama dengan predikat "A"',
        )

    def test_not_a_mapping(self) -> None:
        with pytest.raises(PredikatBandsError, match="harus tabel"):
            PredikatBands.from_mapping(["A", "B"])  # type: ignore[arg-type]


class TestRows:
    def test_demo_indicators(self) -> None:
        results = [evaluate_indicator(r) for r in demo.INDICATORS]
        shown = [
            (r.capaian.value and str(r.capaian.value), r.capaian.reason, r.predikat)
            for r in results
        ]
        assert shown == [
            ("105.56", None, "Sangat Baik"),
            ("85.00", None, "Baik"),
            ("85.00", None, "Baik"),
            ("100.00", "target 0 tercapai (realisasi 0), dinilai 100%", "Sangat Baik"),
            ("93.05", None, "Sangat Baik"),
            ("75.00", None, "Cukup"),
            ("60.00", None, "Kurang"),
            (None, "belum ada realisasi", None),
            ("45.71", None, "Sangat Kurang"),
        ]
        summary = summarize(results)
        assert (summary.count, summary.measured, summary.unmeasured) == (9, 8, 1)
        # (105,56 + 85 + 85 + 100 + 93,05 + 75 + 60 + 45,71) / 8 = 81,165
        assert summary.average == D("81.17")
        assert summary.predikat == "Baik"
        assert summary.distribution == (
            ("Sangat Baik", 3),
            ("Baik", 2),
            ("Cukup", 1),
            ("Kurang", 1),
            ("Sangat Kurang", 1),
        )

    def test_demo_indicators_with_target_zero_unmeasured(self) -> None:
        rules = CapaianRules(target_zero=TargetZeroRule.TIDAK_DIUKUR)
        results = [evaluate_indicator(r, rules) for r in demo.INDICATORS]
        assert (results[3].capaian, results[3].predikat) == (Capaian(None, "target 0"), None)
        summary = summarize(results, rules)
        assert (summary.count, summary.measured, summary.unmeasured) == (9, 7, 2)
        assert summary.average == D("78.47")
        assert summary.predikat == "Baik"
        assert dict(summary.distribution)["Sangat Baik"] == 2

    def test_capaian_uses_the_period_target(self) -> None:
        row = IndicatorRow("S", "I", "%", D(100), D(50), D(40))
        assert evaluate_indicator(row).capaian.value == D("80.00")

    def test_custom_bands(self) -> None:
        bands = PredikatBands.from_mapping({"Tercapai": 100, "Tidak tercapai": 0})
        row = IndicatorRow("S", "I", "%", D(10), D(10), D("9.99"))
        assert evaluate_indicator(row, CapaianRules(bands)).predikat == "Tidak tercapai"

    def test_summary_of_nothing_measured(self) -> None:
        summary = summarize([evaluate_indicator(IndicatorRow("S", "I", "%", D(1), D(0), D(1)))])
        assert (summary.count, summary.measured, summary.average) == (1, 0, None)
        assert summary.predikat is None
        assert all(count == 0 for _, count in summary.distribution)

    def test_budget(self) -> None:
        result = evaluate_budget(BudgetRow("P", 1_200_000_000, 310_500_000))
        assert (result.persen, result.sisa) == (D("25.88"), 889_500_000)
        zero = evaluate_budget(BudgetRow("P", 0, 0))
        assert (zero.persen, zero.sisa) == (None, 0)
        over = evaluate_budget(BudgetRow("P", 100, 120))
        assert (over.persen, over.sisa) == (D("120.00"), -20)

    def test_budget_totals(self) -> None:
        totals = budget_totals(demo.BUDGET)
        assert (totals.pagu, totals.realisasi, totals.sisa) == (
            55_600_000_000,
            21_515_995_500,
            34_084_004_500,
        )
        assert totals.persen == D("38.70")
        assert budget_totals([]).persen is None

    def test_percent(self) -> None:
        assert percent(1, 3) == D("33.33")
        assert percent(5, 0) is None


# --- the capaian rules, table-driven ------------------------------------------------------

BINER = TargetZeroRule.BINER
TIDAK_DIUKUR = TargetZeroRule.TIDAK_DIUKUR
UP, DOWN = True, False


@pytest.mark.parametrize(
    ("target", "realisasi", "higher", "rule", "value", "reason", "predikat"),
    [
        # lower-is-better, target 0: met or not under "biner"
        ("0", "0", DOWN, BINER, "100.00", TARGET_ZERO_MET, "Sangat Baik"),
        ("0", "0.0", DOWN, BINER, "100.00", TARGET_ZERO_MET, "Sangat Baik"),
        ("0", "1", DOWN, BINER, "0.00", TARGET_ZERO_MISSED, "Sangat Kurang"),
        ("0", "0.01", DOWN, BINER, "0.00", TARGET_ZERO_MISSED, "Sangat Kurang"),
        ("0", "12", DOWN, BINER, "0.00", TARGET_ZERO_MISSED, "Sangat Kurang"),
        ("0", None, DOWN, BINER, None, NO_REALISASI, None),
        # ... and unmeasured under "tidak_diukur"
        ("0", "0", DOWN, TIDAK_DIUKUR, None, TARGET_ZERO, None),
        ("0", "4", DOWN, TIDAK_DIUKUR, None, TARGET_ZERO, None),
        # higher-is-better, target 0: unmeasurable under either rule
        ("0", "0", UP, BINER, None, TARGET_ZERO, None),
        ("0", "7", UP, BINER, None, TARGET_ZERO, None),
        ("0", "7", UP, TIDAK_DIUKUR, None, TARGET_ZERO, None),
        ("0", None, UP, BINER, None, TARGET_ZERO, None),
        # missing realisasi
        ("85", None, UP, BINER, None, NO_REALISASI, None),
        ("8", None, DOWN, BINER, None, NO_REALISASI, None),
        # above 100 %: shown as computed, rated as the top band
        ("50", "80", UP, BINER, "160.00", None, "Sangat Baik"),
        ("10", "2", DOWN, BINER, "180.00", None, "Sangat Baik"),
        ("100", "100.004", UP, BINER, "100.00", None, "Sangat Baik"),
        # ordinary figures, and the lower-is-better formula below zero
        ("47.5", "44.2", UP, BINER, "93.05", None, "Sangat Baik"),
        ("10", "25", DOWN, BINER, "-50.00", None, "Sangat Kurang"),
        ("-2", "1", DOWN, BINER, None, TARGET_NEGATIVE, None),
    ],
)
def test_capaian_rules(
    target: str,
    realisasi: str | None,
    higher: bool,
    rule: TargetZeroRule,
    value: str | None,
    reason: str | None,
    predikat: str | None,
) -> None:
    row = IndicatorRow(
        "S",
        "I",
        "kejadian",
        D(target),
        D(target),
        None if realisasi is None else D(realisasi),
        higher_is_better=higher,
    )
    result = evaluate_indicator(row, CapaianRules(target_zero=rule))
    assert result.capaian == Capaian(None if value is None else D(value), reason)
    assert result.predikat == predikat


def _row(target: str, realisasi: str | None, higher: bool = UP) -> IndicatorRow:
    return IndicatorRow(
        "S",
        "I",
        "%",
        D(target),
        D(target),
        None if realisasi is None else D(realisasi),
        higher_is_better=higher,
    )


# Six indicators: one above 100 %, one lower-is-better target 0 met, one missed, one
# higher-is-better target 0, one without realisasi, one ordinary.
_MIXED = (
    _row("50", "80"),  # 160,00
    _row("0", "0", DOWN),  # 100,00 (biner) / unmeasured
    _row("0", "2", DOWN),  # 0,00 (biner) / unmeasured
    _row("0", "5"),  # unmeasured
    _row("80", None),  # unmeasured
    _row("100", "70"),  # 70,00
)


@pytest.mark.parametrize(
    ("rule", "cap", "measured", "average", "predikat", "distribution"),
    [
        # (160 + 100 + 0 + 70) / 4 = 82,5
        (BINER, None, 4, "82.50", "Baik", (2, 0, 1, 0, 1)),
        # capped: (100 + 100 + 0 + 70) / 4 = 67,5; the rows keep their own predikat
        (BINER, "100", 4, "67.50", "Cukup", (2, 0, 1, 0, 1)),
        (BINER, "120", 4, "72.50", "Cukup", (2, 0, 1, 0, 1)),
        # (160 + 70) / 2 = 115
        (TIDAK_DIUKUR, None, 2, "115.00", "Sangat Baik", (1, 0, 1, 0, 0)),
        (TIDAK_DIUKUR, "100", 2, "85.00", "Baik", (1, 0, 1, 0, 0)),
    ],
)
def test_average_and_distribution_follow_the_rules(
    rule: TargetZeroRule,
    cap: str | None,
    measured: int,
    average: str,
    predikat: str,
    distribution: tuple[int, ...],
) -> None:
    rules = CapaianRules(target_zero=rule, average_cap=None if cap is None else D(cap))
    summary = summarize([evaluate_indicator(r, rules) for r in _MIXED], rules)
    assert (summary.count, summary.measured, summary.unmeasured) == (6, measured, 6 - measured)
    assert (summary.average, summary.predikat) == (D(average), predikat)
    assert summary.distribution == tuple(
        zip(("Sangat Baik", "Baik", "Cukup", "Kurang", "Sangat Kurang"), distribution, strict=True)
    )
    # Tabel 3.2 accounts for every indicator exactly once
    assert sum(n for _, n in summary.distribution) + summary.unmeasured == summary.count
