import django_filters

from config.filters import DayFilter, FilterSet, MomentFilter
from runofshow.models import AuditEntry, Cue, Segment, ShowSession


class ShowSessionFilter(FilterSet):
    date_from = DayFilter(field_name="date", lookup_expr="gte")
    date_to = DayFilter(field_name="date", lookup_expr="lte")
    name = django_filters.CharFilter(lookup_expr="icontains")
    venue = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ShowSession
        fields = ["date", "date_from", "date_to", "name", "venue", "timezone"]


class SegmentFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Segment
        fields = ["status", "type", "name"]


class CueFilter(FilterSet):
    class Meta:
        model = Cue
        fields = ["kind", "number"]


class AuditEntryFilter(FilterSet):
    since = MomentFilter(field_name="recorded_at", lookup_expr="gte")

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "since"]
