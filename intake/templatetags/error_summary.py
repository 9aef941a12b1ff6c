from django import template

from intake.error_summary import error_summary_build

register = template.Library()


@register.inclusion_tag("intake/_error_summary.html")
def error_summary(form):
    return {"error_summary": error_summary_build(form=form) if form.is_bound else []}
