"""The backup's data format: Django's JSON, with times to the microsecond.

Django's JSON encoder cuts times to milliseconds, so a backup restored from it would not be
identical: a row saved at 10:00:00.000456 would come back as 10:00:00. This format writes
full ISO 8601 times; Django's ordinary JSON deserializer reads them, so `loaddata` needs no
help. Registered as "json-exact" in settings.SERIALIZATION_MODULES.
"""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
