"""Rotations in the admin: where coordinators keep the data and supervisors review runs.

Every write goes through the services: the records (employees and their time off, events,
rotations, exceptions) through their create/update/delete services, so their rules hold here as
in the API; approve / reject (bulk actions on proposals and on runs) and edits of a proposal
through the same services as the API: constraints are re-checked, each approval submitted once.
"""

from rotations.admin import records, runs  # noqa: F401  (registers the model admins)
