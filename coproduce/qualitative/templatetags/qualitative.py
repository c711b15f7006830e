from django import template

register = template.Library()


@register.filter
def coefficient(value: float | None) -> str:
    """An agreement coefficient to three decimals, or "Not defined"."""
    return "Not defined" if value is None else f"{value:.3f}"
