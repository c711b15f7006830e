"""Django's `{% url %}` tag, with its answers kept per process (`coproduce.lib.urls`).

A template builtin (settings.TEMPLATES' `builtins`), so every template's `{% url %}` is this
one without a `{% load %}`. Same syntax and behaviour as Django's tag (`as var`, an error for
a name that does not reverse), but a link made of a name and plain arguments (strings, whole
numbers, UUIDs) is worked out once per process instead of on every render: a list page made
one `reverse()` a row per link (tens of microseconds each). Anything else (a model instance,
a lazy value) goes through Django's tag unchanged, since its text could change under the same
key. Django's tag also passes the request's namespace as `current_app`, which only matters
where one application is included under several instance namespaces; this project has none,
and tests/lib/test_templateurls.py fails if one appears.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.template import defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from coproduce.lib.urls import reverse_once

register = template.Library()

PLAIN = (str, int, uuid.UUID)


class OnceURLNode(defaulttags.URLNode):
    def render(self, context: Any) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        values = [*args, *kwargs.values()]
        if not isinstance(view_name, str) or not all(isinstance(v, PLAIN) for v in values):
            return str(super().render(context))
        url = ""
        try:
            url = reverse_once(view_name, *args, **kwargs)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> OnceURLNode:
    node = defaulttags.url(parser, token)
    return OnceURLNode(node.view_name, node.args, node.kwargs, node.asvar)
