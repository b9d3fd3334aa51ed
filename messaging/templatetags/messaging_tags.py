from django import template

register = template.Library()


@register.inclusion_tag("messaging/_latest.html", takes_context=True)
def latest_messages(context):
    """The front page's "Siste meldinger" box for the logged-in user."""
    return {"request": context["request"]}
