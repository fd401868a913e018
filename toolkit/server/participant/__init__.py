"""Participants' phones: light pages and a REST API in the ``ureshii serve`` process.

No kernel per participant: the pages (:mod:`.pages`, under ``/p/``) and the API
(:mod:`.api`, under ``/api/v1/``) are plain Tornado handlers that read the store directly
and write through one :class:`~.writes.WriteQueue`, whose writer process commits the writes
of many phones together (:meth:`toolkit.store.Store.write_batch`). Both go through
:class:`~.service.ParticipantService`, so a vote is judged the same way wherever it comes from.
When a crowd arrives at once, new phones wait their turn at the :class:`~.door.Door`.
"""
