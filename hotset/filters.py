import django_filters

from hotset.models import HotSetSession, ProductionDay, Project, ScheduleItem


class ProjectFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Project
        fields = ["name", "timezone"]


class ProductionDayFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ProductionDay
        fields = ["project", "date", "day_number", "date_from", "date_to"]


class HotSetSessionFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="production_day__project")
    date = django_filters.DateFilter(field_name="production_day__date")
    date_from = django_filters.DateFilter(field_name="production_day__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="production_day__date", lookup_expr="lte")

    class Meta:
        model = HotSetSession
        fields = ["status", "auto_started", "production_day", "project", "date", "date_from", "date_to"]


class ScheduleItemFilter(django_filters.FilterSet):
    class Meta:
        model = ScheduleItem
        fields = ["status", "kind", "block_type", "set_name"]
