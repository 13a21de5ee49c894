from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public site")

    def ready(self):
        from public import checks  # noqa: F401 (registers the deployment checks)
        from public import period_pages, search_index
        from public.cache import connect_invalidation
        from public.national_files import connect_scheduling
        from public.rollup import connect_rollup
        from public.subscriptions import connect_publishing

        # The roll-up and the search index first: after a commit they are rewritten before
        # the page cache's number is raised, so that one raise retires the pages built from
        # the old figures and the old index too.
        connect_rollup(self)
        search_index.connect()
        connect_invalidation()
        connect_publishing()
        connect_scheduling()
        period_pages.connect()
