from django.contrib import admin

from realtime.models import BroadcastRule, EventLog, GroupCursor


@admin.register(BroadcastRule)
class BroadcastRuleAdmin(admin.ModelAdmin):
    list_display = ["event_type_prefix", "role", "enabled", "updated_at", "updated_by"]
    list_filter = ["role", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["event_type_prefix"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(EventLog)
class EventLogAdmin(admin.ModelAdmin):
    list_display = ["group_name", "seq", "event_type", "ts"]
    list_filter = ["event_type"]
    search_fields = ["group_name", "event_type"]
    date_hierarchy = "ts"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GroupCursor)
class GroupCursorAdmin(admin.ModelAdmin):
    list_display = ["group_name", "epoch", "seq"]
    search_fields = ["group_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
