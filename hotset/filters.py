import django_filters

from config.filters import DayFilter, FilterSet
from hotset.models import HotSetSession, ProductionDay, Project, ScheduleItem


class ProjectFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Project
        fields = ["name", "timezone"]


class ProductionDayFilter(FilterSet):
    date_from = DayFilter(field_name="date", lookup_expr="gte")
    date_to = DayFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ProductionDay
        fields = ["project", "date", "day_number", "date_from", "date_to"]


class HotSetSessionFilter(FilterSet):
    project = django_filters.NumberFilter(field_name="production_day__project")
    date = DayFilter(field_name="production_day__date")
    date_from = DayFilter(field_name="production_day__date", lookup_expr="gte")
    date_to = DayFilter(field_name="production_day__date", lookup_expr="lte")

    class Meta:
        model = HotSetSession
        fields = ["status", "auto_started", "production_day", "project", "date", "date_from", "date_to"]


class ScheduleItemFilter(FilterSet):
    class Meta:
        model = ScheduleItem
        fields = ["status", "kind", "block_type", "set_name"]
