"""Signals other layers listen to, so this app never needs to know them."""

from django.dispatch import Signal

# Sent after bulk writes (loaders, generators, migrations of data) that send no per-row
# signals, so whatever shows or caches that data (the public site's page cache) can renew.
bulk_change = Signal()

# Sent inside the transaction that publishes or unpublishes a period (or, from followup, a
# tertial report): sender is the model class, `instance` the row, `by` the user.
published = Signal()
unpublished = Signal()
