"""What one transaction noted, handled once when it commits: the search index and the period
pages note the rows a save or delete touches (signal receivers), and write what follows
from all of them together after the commit, not once a row.

A transaction rolled back drops its `transaction.on_commit` callback, and with it what it
noted. Outside a transaction a note is handled at once.
"""

import threading

from django.db import transaction


class Batch:
    """One transaction's scope (an object with `add(**ids)` and truth when not empty),
    handed to `handle` at the commit, or earlier by `write`."""

    def __init__(self, scope_class, handle):
        self.scope_class = scope_class
        self.handle = handle
        self.scope = scope_class()
        self.position = None
        self.committed = False

    def __call__(self):
        self.committed = True
        self.write()

    def write(self):
        if self.scope:
            scope, self.scope = self.scope, self.scope_class()
            self.handle(scope)

    def register(self):
        """Wait for the commit (outside a transaction: handle it now)."""
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            self()
            return
        self.position = len(connection.run_on_commit)
        # Robust: the change is committed whatever happens here; a failure is logged, and
        # each user's own rebuild command puts it right.
        transaction.on_commit(self, robust=True)

    def is_waiting(self):
        """Whether the commit this batch waits for is still to come. Callbacks are only
        removed by rolling back a savepoint they were registered in, along with every one
        registered after them, so an uncommitted batch stays where it was put."""
        callbacks = transaction.get_connection().run_on_commit
        return (not self.committed and self.position is not None
                and self.position < len(callbacks) and callbacks[self.position][1] is self)


class Notes(threading.local):
    """This thread's batch waiting for its commit, for one user of it."""

    def __init__(self, scope_class, handle):
        self.scope_class = scope_class
        self.handle = handle
        self.batch = None

    def note(self, **scope):
        """Add `scope` to the batch of the open transaction (a new one if there is none)."""
        batch = self.waiting()
        if batch is None:
            batch = self.batch = Batch(self.scope_class, self.handle)
            batch.scope.add(**scope)
            batch.register()
        else:
            batch.scope.add(**scope)

    def waiting(self):
        """The batch still waiting for its commit, or None."""
        batch = self.batch
        return batch if batch is not None and batch.is_waiting() else None
