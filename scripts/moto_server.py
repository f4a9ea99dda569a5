"""moto's server with DynamoDB requests applied one at a time.

moto's server handles requests on threads and its DynamoDB backend takes no lock, so two
conditional writes or transactions on the same item that arrive together can both pass their
condition (a read and a write interleaved across threads). Real DynamoDB never lets that
happen, and the retention-purge test checks exactly that property: two purges at once must
delete each entry once. Serialising the DynamoDB requests (and only those: SQS long polls
must not hold anything up) makes moto as linearisable as the service it stands in for.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p PORT  (the arguments of moto_server)
"""

import threading

from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_dynamodb = threading.Lock()
_dispatch = DomainDispatcherApplication.__call__


def _call(self, environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
        with _dynamodb:
            # The body is produced inside the lock too.
            return list(_dispatch(self, environ, start_response))
    return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _call

if __name__ == "__main__":
    server.main()
