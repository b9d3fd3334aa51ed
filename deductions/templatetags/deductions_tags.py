from django import template

register = template.Library()


@register.inclusion_tag("deductions/_month_table.html", takes_context=True)
def month_table(context):
    """The front page's month table for the active role's employer."""
    return {"employer": context["request"].role.employer}
