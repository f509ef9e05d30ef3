"""Page-number pagination with a hard maximum page size.

Bad paging input never errors out: a page size above the maximum is clamped, a page past the end
is an empty page (with the true count), and a page that is not a positive number is a 400.
"""

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isdigit() and int(raw) >= 1) and raw not in self.last_page_strings:
            raise ValidationError({self.page_query_param: ["A page is a number from 1."]})
        raw_size = request.query_params.get(self.page_size_query_param)
        if raw_size is not None and not (raw_size.isdigit() and int(raw_size) >= 1):
            raise ValidationError({self.page_size_query_param: ["A page size is a number from 1."]})
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        number = paginator.num_pages if raw in self.last_page_strings else int(raw)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            self.page = _EmptyPage(paginator, number)
            return []
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters


class _EmptyPage:
    """A page past the end: no items, no next link, a link back to the last real page."""

    def __init__(self, paginator, number):
        self.paginator, self.number, self.object_list = paginator, number, []

    def has_next(self):
        return False

    def has_previous(self):
        return self.paginator.num_pages >= 1

    def previous_page_number(self):
        return self.paginator.num_pages

    def has_other_pages(self):
        return self.has_previous()

    def __len__(self):
        return 0

    def __iter__(self):
        return iter([])
