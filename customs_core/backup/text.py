"""Sizes and counts as the commands print them, in the active language's number format."""

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format


def size_text(count: int) -> str:
    return str(filesizeformat(count)).replace("\xa0", " ")


def number_text(count: int) -> str:
    return number_format(count, force_grouping=True)
