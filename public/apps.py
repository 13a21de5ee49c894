from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public site")

    def ready(self):
        from public import checks  # noqa: F401 (registers the deployment checks)
        from public import search_index
        from public.cache import connect_invalidation
        from public.subscriptions import connect_publishing

        # The search index first: what a transaction changed is written to it on commit
        # before the cached pages are retired, so no page is cached from the old index
        # under the new generation.
        search_index.connect()
        connect_invalidation()
        connect_publishing()
