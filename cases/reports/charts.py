"""A chart as data: what the page draws (Chart.js, from a JSON block), shows as a table (for
screen readers and small screens) and exports as CSV — the same numbers in all three."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from core.csv_cells import csv_cell

Number = int | float | Decimal | None


@dataclass
class Chart:
    key: str  # the id on the page and the ?csv= value
    title: str
    kind: str  # bar | line
    labels: list[str]
    series: list[tuple[str, list[Number]]] = field(default_factory=list)
    stacked: bool = False
    percent: bool = False  # values are shares (0–1) shown as %
    horizontal: bool = False
    dual: bool = False  # the second and later series on their own axis (another unit)
    label_header: str = ""

    def config(self) -> dict[str, Any]:
        """What static/js/reports.js hands to Chart.js."""
        return {
            "kind": self.kind,
            "labels": self.labels,
            "series": [
                {"label": name, "data": [_plain(v, self.percent) for v in values]} for name, values in self.series
            ],
            "stacked": self.stacked,
            "percent": self.percent,
            "horizontal": self.horizontal,
            "dual": self.dual,
        }

    def rows(self) -> list[list[str]]:
        return [
            [label, *[_shown(values[i], self.percent) for _name, values in self.series]]
            for i, label in enumerate(self.labels)
        ]

    def csv_response(self, filename: str) -> HttpResponse:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([csv_cell(self.label_header or ""), *[csv_cell(name) for name, _values in self.series]])
        for i, label in enumerate(self.labels):
            writer.writerow([csv_cell(label), *[_csv(values[i], self.percent) for _name, values in self.series]])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{self.key}.csv"'
        return response


def _plain(value: Number, percent: bool) -> float | int | None:
    if value is None:
        return None
    if percent:
        return round(float(value) * 100, 2)
    return float(value) if isinstance(value, Decimal) else value


def _shown(value: Number, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _csv(value: Number, percent: bool) -> str:
    if value is None:
        return ""
    if percent:
        return f"{float(value):.4f}"
    return str(value)
