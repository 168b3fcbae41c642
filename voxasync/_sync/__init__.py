"""The sync facade: ``Vox`` and its resources, running ``AsyncVox`` on a loop thread.

- ``_portal``: the loop thread (an anyio ``BlockingPortal``) and the hop onto it;
- ``_lifetime``: what a ``Vox`` closes, and the restart after a fork;
- ``_twins``: one-line sync twins of async methods, and the sync pager;
- ``_ids``: reading a generator of batch ids off the loop;
- ``_resources``, ``_client``: the resources and ``Vox`` itself.
"""

from ._client import Vox
from ._resources import OrganizationTelephoneNumbers
from ._twins import SyncPager

__all__ = ["OrganizationTelephoneNumbers", "SyncPager", "Vox"]
