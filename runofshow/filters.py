import django_filters

from runofshow.models import AuditEntry, Cue, Segment, ShowSession


class ShowSessionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    name = django_filters.CharFilter(lookup_expr="icontains")
    venue = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ShowSession
        fields = ["date", "date_from", "date_to", "name", "venue", "timezone"]


class SegmentFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Segment
        fields = ["status", "type", "name"]


class CueFilter(django_filters.FilterSet):
    class Meta:
        model = Cue
        fields = ["kind", "number"]


class AuditEntryFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="recorded_at", lookup_expr="gte")

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "since"]
