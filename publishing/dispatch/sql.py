"""The dispatcher's SQL: one statement per step (claim, completed, failed, renew, release),
each with its table names bound once; their ORM twins live beside their callers."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from django.db import connection

from publishing.models import DispatchLease, PlatformAccount, ScheduledPost, Video

_POST = ScheduledPost._meta.db_table
_VIDEO = Video._meta.db_table
_ACCOUNT = PlatformAccount._meta.db_table
_LEASE = DispatchLease._meta.db_table

# One statement and one round trip: claim (SKIP LOCKED, lease, attempt) and return what the
# uploads need, video and account joined. ``id = ANY(ARRAY(subquery))`` runs the locking
# subquery exactly once (an ``IN (subquery)`` semi-join may be planned to re-run it, and here
# hashes a scan of the whole table) and updates the claimed rows through the primary key. The
# LATERAL … OFFSET 0 keeps to one primary-key lookup per claimed video, not a hash of them all.
# The batch's DispatchLease row (for the reaper) is written by the same statement.
CLAIM_SQL = f"""
WITH claimed AS (
    UPDATE {_POST} SET status = 'processing', attempts = attempts + 1, lease_token = %(token)s,
           lease_expires_at = %(until)s, claimed_by = %(worker)s, updated_at = %(now)s
    WHERE id = ANY(ARRAY(
        SELECT id FROM {_POST}
        WHERE is_queued AND next_attempt_at <= %(now)s
          AND account_id IN (SELECT id FROM {_ACCOUNT} WHERE authenticated)
        ORDER BY next_attempt_at, id
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING id, platform, attempts, idempotency_key, next_attempt_at, video_id, account_id
), lease AS (
    INSERT INTO {_LEASE} (token, worker, expires_at, post_ids, created_at)
    SELECT %(token)s, %(worker)s, %(until)s, jsonb_agg(id), %(now)s FROM claimed HAVING count(*) > 0
)
SELECT c.id, c.platform, c.attempts, c.idempotency_key::text, v.source, v.original_filename, v.title,
       v.caption, v.hashtags::text, a.handle, a.credentials::text
FROM claimed c
CROSS JOIN LATERAL (SELECT * FROM {_VIDEO} WHERE id = c.video_id OFFSET 0) v
JOIN {_ACCOUNT} a ON a.id = c.account_id
ORDER BY c.next_attempt_at, c.id
"""  # noqa: S608 - table names come from the models' meta; every value is a parameter

_RELEASE = "lease_expires_at = NULL, lease_token = NULL, claimed_by = '', updated_at = %(now)s"
# Whether the lease still holds the row. The token and status are compared with columns of
# ``v`` rather than constants: compared with constants, the table's statistics (almost no
# row is processing or has this token) make the planner expect one row and join the batch
# row by row against every result (quadratic). ``id = ANY(ids)`` gives it the right count.
_HELD = "t.id = ANY(%(ids)b::bigint[]) AND t.id = v.id AND t.lease_token = v.token AND t.status = v.held"
_BATCH_COLUMNS = "%(token)s::uuid AS token, 'processing'::varchar AS held"

# The results of a batch's successful uploads in one statement; it returns only the posts it
# could NOT write (their lease was reclaimed meanwhile), which is normally none.
COMPLETED_SQL = f"""
WITH released AS (
    DELETE FROM {_LEASE} WHERE token = %(token)s AND %(release)s
), v AS (
    SELECT *, {_BATCH_COLUMNS}
    FROM unnest(%(ids)b::bigint[], %(external_ids)b::varchar[], %(urls)b::varchar[]) AS v(id, external_id, external_url)
), written AS (
    UPDATE {_POST} AS t SET status = 'completed', posted_at = %(now)s, last_error = '',
           external_id = v.external_id, external_url = v.external_url, {_RELEASE}
    FROM v WHERE {_HELD}
    RETURNING t.id
)
SELECT v.id FROM v WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.id = v.id)
"""  # noqa: S608

# Failed uploads (rare): back to pending after the backoff, or failed; returns the posts written.
FAILED_SQL = f"""
WITH released AS (
    DELETE FROM {_LEASE} WHERE token = %(token)s AND %(release)s
), v AS (
    SELECT *, {_BATCH_COLUMNS}
    FROM unnest(%(ids)b::bigint[], %(statuses)b::varchar[], %(errors)b::text[], %(next_attempts)b::timestamptz[])
         AS v(id, status, last_error, next_attempt_at)
)
UPDATE {_POST} AS t SET status = v.status, last_error = v.last_error,
       next_attempt_at = COALESCE(v.next_attempt_at, t.next_attempt_at), {_RELEASE}
FROM v WHERE {_HELD}
RETURNING t.id
"""  # noqa: S608

RENEW_SQL = f"""
WITH renewed AS (
    UPDATE {_LEASE} SET expires_at = %(until)s WHERE token = %(token)s
)
UPDATE {_POST} SET lease_expires_at = %(until)s, updated_at = %(now)s
WHERE id = ANY(%(ids)s::bigint[]) AND lease_token = %(token)s AND status = 'processing'
"""  # noqa: S608

# A lease whose posts have all been written (or reclaimed) is of no more use to the reaper.
RELEASE_IF_DONE_SQL = f"""
DELETE FROM {_LEASE} AS l WHERE l.token = %s AND NOT EXISTS (
    SELECT 1 FROM {_POST} p
    WHERE p.id IN (SELECT jsonb_array_elements_text(l.post_ids)::bigint)
      AND p.lease_token = l.token AND p.status = 'processing'
)
"""  # noqa: S608


@contextmanager
def bound_cursor():
    """A PostgreSQL cursor with server-side parameters for the dispatcher's statements.

    Django's psycopg cursors bind client-side: each id, external id and URL of a batch would be
    quoted into the SQL text in Python. Here the arrays go as binary parameters (``%b``: no
    quoting on either side) and psycopg prepares the statements after a few runs (no
    re-planning). Same connection and transaction as the ORM; errors are translated like Django's.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor
