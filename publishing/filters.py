import django_filters
from django.db.models import Q

from config.filters import FilterSet, MomentFilter
from publishing.models import AITemplate, Platform, PlatformAccount, PostStatus, ScheduledPost, Video


class PlatformAccountFilter(FilterSet):
    class Meta:
        model = PlatformAccount
        fields = ["platform", "authenticated"]


class VideoFilter(FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Search title, caption, filename and source.")
    game_context = django_filters.CharFilter(lookup_expr="icontains")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Video
        fields = ["q", "game_context", "created_after", "created_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(caption__icontains=value)
            | Q(original_filename__icontains=value)
            | Q(source__icontains=value)
        )


class ScheduledPostFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PostStatus.choices)
    platform = django_filters.MultipleChoiceFilter(choices=Platform.choices)
    scheduled_after = MomentFilter(field_name="scheduled_time", lookup_expr="gte")
    scheduled_before = MomentFilter(field_name="scheduled_time", lookup_expr="lt")

    class Meta:
        model = ScheduledPost
        fields = ["status", "platform", "video", "account", "scheduled_after", "scheduled_before"]


class AITemplateFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = AITemplate
        fields = ["name", "is_active"]
