"""Pages of every API list: ``?page=`` and ``?page_size=`` (50 by default, at most 200)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    """A larger ``page_size`` is cut to :data:`MAX_PAGE_SIZE`, a malformed one gives the default."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = "Số trang (từ 1)."
    page_size_query_description = f"Số dòng mỗi trang: mặc định 50, tối đa {MAX_PAGE_SIZE}."
