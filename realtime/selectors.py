"""Reads of the event log: a group's position and the replay behind resume."""

from __future__ import annotations

from realtime.models import EventLog, GroupCursor


def group_position(group: str) -> tuple[str, int]:
    """(epoch, seq) of the group's last event; ("", 0) when it has had none."""
    cursor = GroupCursor.objects.filter(group_name=group).only("epoch", "seq").first()
    if cursor is None:
        return "", 0
    return cursor.epoch, cursor.seq


def page_positions(groups) -> dict[str, dict]:
    """{group: {"epoch", "seq"}} for a page rendered now: read before the page's data, so a
    page that resumes from here (realtime.js) misses no change made while it loaded."""
    found = {
        row.group_name: {"epoch": row.epoch, "seq": row.seq}
        for row in GroupCursor.objects.filter(group_name__in=list(groups)).only("group_name", "epoch", "seq")
    }
    return {group: found.get(group, {"epoch": "", "seq": 0}) for group in groups}


def events_since(group: str, *, epoch: str, since: int) -> list[dict] | None:
    """Every event of ``group`` with seq > ``since``, in order; None when the client must resync.

    Resync when the epoch is unknown, ``since`` is ahead of the group, or the
    events it missed have been pruned. An empty ``epoch`` means "from the start".
    """
    current_epoch, current_seq = group_position(group)
    if current_seq == 0:
        return [] if since == 0 else None
    if epoch == "" and since == 0:
        epoch = current_epoch
    if epoch != current_epoch or since < 0 or since > current_seq:
        return None
    if since == current_seq:
        return []
    rows = list(EventLog.objects.filter(group_name=group, epoch=epoch, seq__gt=since).order_by("seq"))
    if not rows or rows[0].seq != since + 1 or rows[-1].seq - rows[0].seq + 1 != len(rows):
        return None
    return [row.envelope() for row in rows]
