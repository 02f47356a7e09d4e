"""Parsing, checking and rendering of notice templates.

Templates are written by staff in the Django template language, so everything here runs on
a sandboxed engine: no template loaders (nothing can be read from disk), no tag libraries
beyond the built-ins, and the tags that would reach files or dump the context refused
before parsing. Notice texts are plain text (SMS, letters, in-app messages, plain-text
email), so rendering never HTML-escapes; the pages that show them escape on output.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast

from django.template import Context, Engine, Library, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Lexer, Node, NodeList, TokenType, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode, TemplateLiteral, WithNode
from django.template.smartif import TokenBase
from django.utils.translation import gettext as _

from accounts.models import ContactChannel
from core.errors import ApplicationError

from .codes import NoticesError
from .models import ELECTRONIC_CHANNELS, OPT_OUT_FIELD, REQUIRED_FIELDS, NoticeTemplate, Purpose

# Tags that read files (load/include/extends/ssi), print the whole context (debug) or
# generate text of any length (lorem).
FORBIDDEN_TAGS = frozenset({"load", "include", "extends", "ssi", "debug", "lorem"})

# --- render limits ------------------------------------------------------------------------
# A notice is a short text: no render may produce more than this, and all the {% for %}
# loops of one render together run at most this many times. Loops nest at most this deep;
# filters that pad or format to a width accept at most MAX_FILTER_WIDTH.
MAX_OUTPUT_CHARS = 100_000
MAX_LOOP_ITERATIONS = 2_000
MAX_LOOP_DEPTH = 2
MAX_FILTER_WIDTH = 200
WIDTH_FILTERS = frozenset({"center", "ljust", "rjust", "floatformat", "stringformat"})


def _limit_error(message: str) -> ApplicationError:
    return ApplicationError(code="template_render_limit", message=message)


def _check_width(name: str, args: tuple[Any, ...]) -> None:
    if name in WIDTH_FILTERS and args and _too_wide(args[0]):
        raise _limit_error(
            _("The filter %(filter)s accepts a width of at most %(max)s.") % {"filter": name, "max": MAX_FILTER_WIDTH}
        )


def _too_wide(arg: Any) -> bool:
    return any(int(digits) > MAX_FILTER_WIDTH for digits in re.findall(r"\d+", str(arg)))


def _output_error() -> ApplicationError:
    return _limit_error(
        _("The text would be longer than %(max)s characters; notice templates must stay short.")
        % {"max": MAX_OUTPUT_CHARS}
    )


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """The built-in filter, refusing widths beyond the limit and results beyond the output cap."""

    @functools.wraps(func)  # keeps is_safe, needs_autoescape, ... and the signature (inspect.unwrap)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_width(name, args)
        result = func(value, *args, **kwargs)
        if isinstance(result, str | list | tuple) and len(result) > MAX_OUTPUT_CHARS:
            raise _output_error()
        return result

    return bounded


def _bounded_library(library: Library) -> Library:
    bounded = Library()
    bounded.tags = dict(library.tags)
    bounded.filters = {name: _bounded_filter(name, func) for name, func in library.filters.items()}
    return bounded


# No loaders and no extra libraries: even a tag that slipped through could not open a file.
TEXT_ENGINE = Engine(autoescape=False, loaders=[], libraries={}, debug=False, string_if_invalid="")
TEXT_ENGINE.template_builtins = [_bounded_library(library) for library in TEXT_ENGINE.template_builtins]


# --- parsing ----------------------------------------------------------------------------------
def forbidden_tags(text: str) -> list[str]:
    """The refused tags used in ``text``, in order of first use."""
    found: list[str] = []
    for token in Lexer(text).tokenize():
        if token.token_type != TokenType.BLOCK or not token.contents.strip():
            continue
        name = token.split_contents()[0]
        if name in FORBIDDEN_TAGS and name not in found:
            found.append(name)
    return found


def _parse(text: str) -> Template:
    refused = forbidden_tags(text)
    if refused:
        raise ApplicationError(
            code=NoticesError.TEMPLATE_FORBIDDEN_TAG,
            message=_("These tags are not allowed in notice templates: %(tags)s.")
            % {"tags": ", ".join(f"{{% {name} %}}" for name in refused)},
            extra={"tags": refused},
        )
    try:
        return Template(text, engine=TEXT_ENGINE)
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            code=NoticesError.TEMPLATE_SYNTAX_ERROR,
            message=_("The template cannot be read: %(error)s") % {"error": exc},
        ) from exc


def _names_in_expression(expression: Any) -> Iterator[str]:
    """Variable paths used by a filter expression, including variables passed to filters."""
    if isinstance(expression, FilterExpression):
        if isinstance(expression.var, Variable) and expression.var.lookups is not None:
            yield cast(str, expression.var.var)  # the stubs allow dict; Variable() accepts only str
        for _func, args in expression.filters:
            for is_lookup, arg in args:
                if is_lookup and isinstance(arg, Variable) and arg.lookups is not None:
                    yield cast(str, arg.var)
    elif isinstance(expression, TemplateLiteral):
        yield from _names_in_expression(expression.value)
    elif isinstance(expression, TokenBase):  # an operator of {% if %}: and, or, not, ==, in, ...
        yield from _names_in_expression(expression.first)
        yield from _names_in_expression(expression.second)


def _expressions_of(node: Node) -> Iterator[Any]:
    """Expressions held by any tag's node (firstof, cycle, filter, regroup, widthratio, ...)."""
    for value in vars(node).values():
        if isinstance(value, FilterExpression | TokenBase):
            yield value
        elif isinstance(value, list | tuple) and not isinstance(value, NodeList):
            yield from (item for item in value if isinstance(item, FilterExpression))
        elif isinstance(value, dict):
            yield from (item for item in value.values() if isinstance(item, FilterExpression))


def _walk(nodes: Iterable[Node], bound: frozenset[str], used: set[str], printed: set[str]) -> None:
    for node in nodes:
        if isinstance(node, VariableNode):
            for name in _names_in_expression(node.filter_expression):
                if name.split(".")[0] not in bound:
                    used.add(name)
            var = node.filter_expression.var
            if isinstance(var, Variable) and var.lookups is not None and var.lookups[0] not in bound:
                printed.add(cast(str, var.var))
            continue
        if isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                used.update(n for n in _names_in_expression(condition) if n.split(".")[0] not in bound)
                _walk(nodelist, bound, used, printed)
            continue
        if isinstance(node, ForNode):
            used.update(n for n in _names_in_expression(node.sequence) if n.split(".")[0] not in bound)
            # The stubs also allow list[str] (constructor input); a parsed {% for %} holds NodeLists.
            _walk(cast(NodeList, node.nodelist_loop), bound | set(node.loopvars) | {"forloop"}, used, printed)
            _walk(cast(NodeList, node.nodelist_empty), bound, used, printed)
            continue
        if isinstance(node, WithNode):
            for expression in node.extra_context.values():
                used.update(n for n in _names_in_expression(expression) if n.split(".")[0] not in bound)
            _walk(node.nodelist, bound | set(node.extra_context), used, printed)
            continue
        for expression in _expressions_of(node):
            used.update(n for n in _names_in_expression(expression) if n.split(".")[0] not in bound)
        for attr in node.child_nodelists:
            _walk(getattr(node, attr, None) or (), bound, used, printed)


def _loop_errors(nodes: Iterable[Node], depth: int = 0) -> list[str]:
    """Why the loops of ``nodes`` could run away: nested too deep, or over a literal (a text or
    number written in the template, e.g. ``{% for c in "xxxx…" %}``) rather than a field."""
    errors: list[str] = []
    for node in nodes:
        if isinstance(node, ForNode):
            sequence = cast(FilterExpression, node.sequence)  # parsed: never the constructor's str
            if not (isinstance(sequence.var, Variable) and sequence.var.lookups is not None):
                errors.append(_("{% for %} may only loop over a field, not over text written in the template."))
            if depth + 1 > MAX_LOOP_DEPTH:
                errors.append(_("{%% for %%} loops may be nested at most %(max)s deep.") % {"max": MAX_LOOP_DEPTH})
        for attr in node.child_nodelists:
            errors.extend(_loop_errors(getattr(node, attr, None) or (), depth + isinstance(node, ForNode)))
    return list(dict.fromkeys(errors))


def render_limit_errors(text: str) -> list[str]:
    """Why rendering ``text`` could exceed the render limits (empty list: it cannot be refused
    for that at save time; rendering is bounded all the same)."""
    errors = _loop_errors(_parse(text).nodelist)
    for token in Lexer(text).tokenize():
        if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
            continue
        for name, arg in re.findall(r"(\w+)\s*:\s*(\"[^\"]*\"|'[^']*'|[^\s|%}]+)", token.contents):
            if name in WIDTH_FILTERS and _too_wide(arg):
                message = _("The filter %(filter)s accepts a width of at most %(max)s.")
                errors.append(message % {"filter": name, "max": MAX_FILTER_WIDTH})
    return list(dict.fromkeys(errors))


def _scan(text: str) -> tuple[set[str], set[str]]:
    used: set[str] = set()
    printed: set[str] = set()
    _walk(_parse(text).nodelist, frozenset(), used, printed)
    return used, printed


def template_variables(text: str) -> set[str]:
    """Every context variable the template reads: printed with ``{{ }}``, tested in ``{% if %}``,
    looped over in ``{% for %}`` or passed to a filter. Loop and ``with`` variables are not
    context variables and are left out. Raises ``ApplicationError`` for refused tags and
    syntax errors."""
    return _scan(text)[0]


def printed_variables(text: str) -> set[str]:
    """The variables the template prints with ``{{ name }}`` (filters allowed)."""
    return _scan(text)[1]


# --- validation -------------------------------------------------------------------------------
def _required(purpose: str, channel: str) -> list[str]:
    required = list(REQUIRED_FIELDS.get(purpose, ()))
    if channel in ELECTRONIC_CHANNELS:
        required.append(OPT_OUT_FIELD)
    return required


def _shown(channel: str, subject: str, body: str) -> set[str]:
    """Variables the reader sees: the body's, plus the subject's for email."""
    shown = printed_variables(body)
    if channel == ContactChannel.EMAIL:
        shown |= printed_variables(subject)
    return shown


def missing_fields(purpose: str, channel: str, subject: str, body: str) -> list[str]:
    """The required variables the text does not print, in the order of ``REQUIRED_FIELDS``
    (opt-out last). Raises ``ApplicationError`` for refused tags and syntax errors."""
    shown = _shown(channel, subject or "", body or "")
    return [field for field in _required(purpose, channel) if field not in shown]


def validate_template(purpose: str, channel: str, subject: str, body: str) -> list[str]:
    """Why this text may not be saved for ``purpose`` on ``channel`` (empty list: it may).

    A required field counts as present when the text prints it (``{{ field }}``); a mention
    in a condition is not enough, since the reader must see it. Email subjects count
    together with the body; other channels show the body only. SMS and email must carry
    the opt-out sentence (``{{ opt_out }}``), as electronic collection messages must
    (Regulation F 12 CFR 1006.6(e); the consumer's right to refuse a channel under the CN
    guideline).
    """
    if purpose not in REQUIRED_FIELDS:
        return [_("Unknown purpose %(purpose)s.") % {"purpose": purpose}]
    if channel not in ContactChannel.values:
        return [_("Unknown channel %(channel)s.") % {"channel": channel}]
    errors: list[str] = []
    for label, text in ((_("Subject"), subject or ""), (_("Text"), body or "")):
        try:
            _parse(text)
        except ApplicationError as exc:
            errors.append(_("%(part)s: %(error)s") % {"part": label, "error": exc.message})
    if errors:
        return errors
    for label, text in ((_("Subject"), subject or ""), (_("Text"), body or "")):
        errors.extend(_("%(part)s: %(error)s") % {"part": label, "error": error} for error in render_limit_errors(text))
    if errors:
        return errors
    for field in missing_fields(purpose, channel, subject, body):
        if field == OPT_OUT_FIELD:
            errors.append(
                _("The text must contain {{ %(field)s }}: every text message and email says how to opt out.")
                % {"field": field}
            )
        else:
            errors.append(
                _("The text must contain {{ %(field)s }}: every “%(purpose)s” notice states it.")
                % {"field": field, "purpose": Purpose(purpose).label}
            )
    if channel == ContactChannel.EMAIL and not (subject or "").strip():
        errors.append(_("An email needs a subject."))
    return errors


# --- rendering --------------------------------------------------------------------------------
class _RenderBudget:
    """What one render may still spend: loop iterations and characters produced in loops."""

    def __init__(self) -> None:
        self.iterations = MAX_LOOP_ITERATIONS
        self.chars = MAX_OUTPUT_CHARS

    def iteration(self) -> None:
        self.iterations -= 1
        if self.iterations < 0:
            raise _limit_error(
                _("The text's loops would run more than %(max)s times; notice templates must stay short.")
                % {"max": MAX_LOOP_ITERATIONS}
            )

    def output(self, size: int) -> None:
        self.chars -= size
        if self.chars < 0:
            raise _output_error()


BUDGET_ATTRIBUTE = "notice_render_budget"


def _budget(context: Context) -> _RenderBudget:
    return cast(_RenderBudget, getattr(context, BUDGET_ATTRIBUTE))


class _LoopIteration(Node):
    """First node of every loop body: counts the iteration before anything of it renders."""

    def render(self, context: Context) -> str:
        _budget(context).iteration()
        return ""


class _MeteredNode(Node):
    """A node of a loop body whose output counts against the budget as it is produced."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.token = node.token
        self.origin = node.origin

    def render(self, context: Context) -> str:
        output = str(self.node.render_annotated(context))
        _budget(context).output(len(output))
        return output


def _bounded(template: Template) -> Template:
    """The parsed template with every loop metered (iterations and output)."""
    for node in template.nodelist.get_nodes_by_type(ForNode):
        loop = cast(ForNode, node)
        body = cast(NodeList, loop.nodelist_loop)
        loop.nodelist_loop = NodeList([_LoopIteration(), *(_MeteredNode(node) for node in body)])
    return template


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    """The metered template of a text, parsed once per process: a saved template version never
    changes, and a compiled template keeps no state between renders (the budget lives in the
    render context)."""
    return _bounded(_parse(text))


def render_text(text: str, context: Mapping[str, Any]) -> str:
    """Render one plain-text template (no HTML escaping), within the render limits: a coded
    ``template_render_limit`` error rather than a runaway render."""
    render_context = Context(dict(context), autoescape=False)
    setattr(render_context, BUDGET_ATTRIBUTE, _RenderBudget())
    output = str(_compiled(text).render(render_context))
    if len(output) > MAX_OUTPUT_CHARS:
        raise _output_error()
    return output


def render_template(template: NoticeTemplate | str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The (subject, body) of a template with ``context`` filled in.

    A bare string is rendered as a body without subject. The subject is kept on one line
    (it becomes an email header or a message title)."""
    if isinstance(template, NoticeTemplate):
        subject_text, body_text = template.subject, template.body
    else:
        subject_text, body_text = "", template
    subject = " ".join(render_text(subject_text, context).split()) if subject_text else ""
    return subject, render_text(body_text, context)
