"""Render limits of notice templates: runaway texts are refused at save time, and no render
can run past its iteration or output bound."""

from __future__ import annotations

import time

import pytest

from core.errors import ApplicationError
from notices.models import REQUIRED_FIELDS, Purpose
from notices.template_services import template_save
from notices.templating import MAX_LOOP_ITERATIONS, MAX_OUTPUT_CHARS, render_text, validate_template

pytestmark = pytest.mark.django_db

FIELDS = REQUIRED_FIELDS[Purpose.OVERDUE_REMINDER]
BASE = " ".join(f"{field}: {{{{ {field} }}}}" for field in FIELDS)
LITERAL = '"' + "x" * 1000 + '"'


def errors_for(extra: str) -> list[str]:
    return validate_template(Purpose.OVERDUE_REMINDER, "letter", "", BASE + extra)


@pytest.mark.parametrize(
    "extra",
    [
        "{% for a in items %}{% for b in a %}{% for c in b %}{{ c }}{% endfor %}{% endfor %}{% endfor %}",
        "{% for c in " + LITERAL + " %}{% for d in " + LITERAL + " %}.{% endfor %}{% endfor %}",
        "{% for c in " + LITERAL + "|make_list %}.{% endfor %}",
        '{{ customer_name|ljust:"999999999" }}',
        "{{ customer_name|center:100000 }}",
        '{{ days_overdue|stringformat:"0999999999d" }}',
        '{% filter rjust:"50000" %}x{% endfilter %}',
        "{% lorem 100000000 w %}",
    ],
    ids=[
        "nested-3-deep",
        "loop-over-literals",
        "literal-make-list",
        "ljust",
        "center",
        "stringformat",
        "filter",
        "lorem",
    ],
)
def test_runaway_templates_are_refused_at_save_time(extra):
    assert errors_for(extra)
    with pytest.raises(ApplicationError):
        template_save(
            actor=None,
            purpose=Purpose.OVERDUE_REMINDER,
            channel="letter",
            locale="zh-hans",
            subject="",
            body=BASE + extra,
        )


def test_ordinary_loops_and_filters_are_still_accepted():
    extra = "{% for item in items %}{{ item|ljust:20 }}{% for line in item.lines %}{{ line }}{% endfor %}{% endfor %}"
    assert errors_for(extra) == []


def test_a_render_that_would_loop_for_minutes_stops_at_the_iteration_bound():
    # Saved before the limits existed, or reached through a field: rendering is bounded anyway.
    text = "{% for a in s %}{% for b in s %}{% for c in s %}{{ c }}{% endfor %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(ApplicationError) as caught:
        render_text(text, {"s": "x" * 1000})
    assert caught.value.code == "template_render_limit"
    assert time.monotonic() - started < 5


def test_an_empty_loop_body_still_counts_iterations():
    with pytest.raises(ApplicationError) as caught:
        render_text("{% for c in s %}{% endfor %}", {"s": "x" * (MAX_LOOP_ITERATIONS + 1)})
    assert caught.value.code == "template_render_limit"
    assert render_text("{% for c in s %}{% endfor %}", {"s": "x" * MAX_LOOP_ITERATIONS}) == ""


def test_doubling_through_filters_stops_at_the_output_cap():
    text = "{% with a=s|add:s %}{% with b=a|add:a %}{% with c=b|add:b %}{{ c }}{% endwith %}{% endwith %}{% endwith %}"
    with pytest.raises(ApplicationError) as caught:
        render_text(text, {"s": "y" * (MAX_OUTPUT_CHARS // 3)})
    assert caught.value.code == "template_render_limit"


def test_loop_output_is_capped():
    with pytest.raises(ApplicationError) as caught:
        render_text("{% for i in items %}{{ big }}{% endfor %}", {"items": range(50), "big": "z" * 10_000})
    assert caught.value.code == "template_render_limit"


def test_width_filters_are_bounded_when_rendering_too():
    with pytest.raises(ApplicationError) as caught:
        render_text("{{ name|ljust:width }}", {"name": "x", "width": 10**9})
    assert caught.value.code == "template_render_limit"


def test_rendering_within_the_limits_is_unchanged():
    text = "{% for i in items %}{{ forloop.counter }}:{{ i|upper|ljust:3 }};{% endfor %}{{ n|floatformat:2 }}"
    assert render_text(text, {"items": ["a", "b"], "n": 1.5}) == "1:A  ;2:B  ;1.50"
