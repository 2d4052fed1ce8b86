"""The publishing back office: every model, with the queue actions calling the same services as the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html

from config.admin import ReadOnlyAdmin, ServiceWritesAdmin
from config.errors import DomainError
from config.parsers import loads_bounded
from config.spreadsheet_admin import SpreadsheetAdmin
from publishing import exports, services, sources
from publishing.limits import HashtagError, normalize_hashtags
from publishing.models import AITemplate, DispatchLease, PlatformAccount, PostStatus, ScheduledPost, Video
from publishing.spreadsheets import VideoResource
from publishing.uploaders import safe_permalink


class PlatformAccountForm(forms.ModelForm):
    """Credentials are write-only here too: the field starts empty and a blank one keeps what is stored."""

    new_credentials = forms.CharField(
        label="Credentials",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="A JSON object. Never shown; leave blank to keep the stored credentials.",
    )

    class Meta:
        model = PlatformAccount
        fields = ["platform", "handle", "authenticated"]

    def clean_new_credentials(self):
        raw = self.cleaned_data["new_credentials"].strip()
        if not raw:
            return None
        try:
            value = loads_bounded(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON ({exc}).") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Credentials are a JSON object.")
        return value

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("new_credentials") is not None:
            account.credentials = self.cleaned_data["new_credentials"]
        if commit:
            account.save()
        return account


@admin.register(PlatformAccount)
class PlatformAccountAdmin(ServiceWritesAdmin):
    form = PlatformAccountForm
    list_display = ["platform", "handle", "authenticated", "has_credentials", "updated_at"]
    list_filter = ["platform", "authenticated"]
    search_fields = ["handle"]

    @admin.display(boolean=True, description="Credentials")
    def has_credentials(self, account):
        return bool(account.credentials)

    def save_model(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.ACCOUNT_FIELDS}
        if not change:
            created = services.create_account(**values)
            obj.__dict__.update(created.__dict__)  # the admin logs and redirects with the saved row
            return
        # Through the service: authenticating an account again releases its held posts.
        services.update_account(account=obj, now=timezone.now(), **values)

    def delete_model(self, request, obj):
        services.delete_account(account=obj)  # one with posts is kept (409, shown on the page)

    def delete_queryset(self, request, queryset):
        for account in queryset:
            services.delete_account(account=account)


class PostInline(admin.TabularInline):
    model = ScheduledPost
    extra = 0
    fields = ["platform", "scheduled_time", "status", "attempts", "external_url", "last_error"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


VIDEO_FIELDS = ["source", "original_filename", "title", "caption", "hashtags", "game_context"]


class VideoForm(forms.ModelForm):
    """The source rules show as a field error; the save itself goes through the services."""

    class Meta:
        model = Video
        fields = VIDEO_FIELDS

    def clean_source(self):
        value = self.cleaned_data["source"]
        if self.instance.pk is not None and "source" not in self.changed_data:
            return value  # unchanged: an old row may still be edited (its posts fail safely at upload)
        try:
            return services.checked_source(value)
        except sources.SourceRefused as exc:
            raise forms.ValidationError(exc.reason) from None

    def clean_hashtags(self):
        try:
            return normalize_hashtags(self.cleaned_data["hashtags"] or [])
        except HashtagError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(Video)
class VideoAdmin(SpreadsheetAdmin, ServiceWritesAdmin):
    resource_classes = [VideoResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}  # imported videos are registered by whoever imports them

    form = VideoForm
    list_display = ["__str__", "original_filename", "game_context", "post_count", "created_at"]
    list_filter = ["game_context", "created_at"]
    search_fields = ["title", "caption", "original_filename", "source"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [PostInline]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        """Creates and edits through the services (source rules, hashtags, content limits)."""
        data = {name: form.cleaned_data[name] for name in VIDEO_FIELDS if name in form.cleaned_data}
        try:
            if change:
                changed = {name: data[name] for name in form.changed_data if name in data}
                saved = services.update_video(video=obj, **changed) if changed else obj
            else:
                saved = services.create_video(**data, user=request.user)
        except DomainError as exc:
            errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.errors.items())
            self.message_user(request, f"{exc.detail} {errors}".strip(), messages.ERROR)
            if not change:
                raise  # nothing to show a created object for
            obj.refresh_from_db()
            return
        for model_field in Video._meta.concrete_fields:  # the admin goes on with ``obj`` (log, redirect)
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding, obj._state.db = False, saved._state.db

    def get_deleted_objects(self, objs, request):
        """What deleting these videos removes, as ``delete_video`` does it: cancelled and failed
        posts go with their video; only live posts (scheduled, posting, posted) protect it.
        Django's own check counts every post, since the post's foreign key is PROTECT."""
        to_delete, model_count, perms_needed, _every_post = super().get_deleted_objects(objs, request)
        posts = ScheduledPost.objects.filter(video__in=list(objs)).select_related("video")
        dead = (PostStatus.CANCELLED, PostStatus.FAILED)
        name = ScheduledPost._meta.verbose_name.capitalize()
        protected = [f"{name}: {post}" for post in posts.exclude(status__in=dead)]
        going = [f"{name}: {post}" for post in posts.filter(status__in=dead)]
        # Posts are never deleted on their own in the admin (cancel instead), but the service
        # takes a video's dead posts with it: that needs no delete permission on posts.
        perms_needed = {p for p in perms_needed if p != ScheduledPost._meta.verbose_name}
        if going:
            to_delete = [*to_delete, going]
            model_count = {**model_count, ScheduledPost._meta.verbose_name_plural: len(going)}
        return to_delete, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        services.delete_video(video=obj)  # one with live posts is kept (409, shown on the page)

    def delete_queryset(self, request, queryset):
        for video in queryset:
            services.delete_video(video=video)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description="Posts", ordering="post_count")
    def post_count(self, video):
        return video.post_count


def _run_on_posts(modeladmin, request, queryset, verb: str, fn) -> None:
    done, refused = 0, []
    for post in queryset:
        try:
            with transaction.atomic():
                fn(post)
            done += 1
        except DomainError as exc:
            refused.append(exc.detail)
    if done:
        modeladmin.message_user(request, f"{verb}: {done} post(s).", messages.SUCCESS)
    for detail in refused[:10]:
        modeladmin.message_user(request, detail, messages.WARNING)


@admin.action(description="Post now", permissions=["change"])
def post_now(modeladmin, request, queryset):
    _run_on_posts(
        modeladmin, request, queryset, "Posting now", lambda p: services.force_post(post=p, now=timezone.now())
    )


@admin.action(description="Retry failed posts", permissions=["change"])
def retry(modeladmin, request, queryset):
    _run_on_posts(modeladmin, request, queryset, "Retrying", lambda p: services.retry_post(post=p, now=timezone.now()))


@admin.action(description="Cancel posts", permissions=["change"])
def cancel(modeladmin, request, queryset):
    _run_on_posts(modeladmin, request, queryset, "Cancelled", lambda p: services.cancel_post(post=p))


class ScheduledPostForm(forms.ModelForm):
    class Meta:
        model = ScheduledPost
        fields = ["scheduled_time"]

    def clean_scheduled_time(self):
        value = self.cleaned_data["scheduled_time"]
        if "scheduled_time" in self.changed_data and value <= timezone.now():
            raise forms.ValidationError("Must be in the future (use the Post now action to post at once).")
        return value


@admin.action(description="Export the selected posts as CSV")
def export_csv(modeladmin, request, queryset):
    rows = queryset.select_related("video", "account").order_by("scheduled_time", "id")
    response = HttpResponse(exports.to_csv(rows, tz=services.publishing_tz()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="setdesk-posts.csv"'
    return response


@admin.register(ScheduledPost)
class ScheduledPostAdmin(admin.ModelAdmin):
    form = ScheduledPostForm
    list_display = ["id", "video", "platform", "scheduled_time", "status_badge", "attempts", "posted_at", "permalink"]
    list_filter = ["status", "platform", "scheduled_time"]
    search_fields = ["video__title", "video__original_filename", "external_id", "last_error"]
    list_select_related = ["video", "account"]
    date_hierarchy = "scheduled_time"
    actions = [post_now, retry, cancel, export_csv]
    # The queue's state moves only through its services (actions above, API, dispatcher).
    readonly_fields = ["video", "account", "platform", "status", "attempts", "last_error", "external_id",
                       "external_url", "posted_at", "idempotency_key", "next_attempt_at", "lease_expires_at",
                       "lease_token", "claimed_by", "created_by", "created_at", "updated_at"]  # fmt: skip
    fields = ["video", "account", "platform", "scheduled_time", *readonly_fields[3:]]

    def has_add_permission(self, request):
        return False  # schedule through the API or the dashboard: limits and slots are checked there

    def has_delete_permission(self, request, obj=None):
        return False  # a post is cancelled (the Cancel action), never deleted: the queue keeps its history

    def save_model(self, request, obj, form, change):
        if change and "scheduled_time" in form.changed_data:
            try:
                services.reschedule_post(post=obj, scheduled_time=obj.scheduled_time, now=timezone.now())
            except DomainError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
        # nothing else is editable here

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != PostStatus.PENDING:
            return [*self.readonly_fields, "scheduled_time"]
        return self.readonly_fields

    @admin.display(description="Status", ordering="status")
    def status_badge(self, post):
        return format_html('<span class="badge {}">{}</span>', post.status, post.get_status_display())

    @admin.display(description="Permalink")
    def permalink(self, post):
        url = safe_permalink(post.external_url)  # rows from before the rule may hold anything
        if not url:
            return "—"
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, post.external_id or "open")


@admin.register(DispatchLease)
class DispatchLeaseAdmin(ReadOnlyAdmin):
    """Which worker holds which posts right now (the dispatcher and reaper own these)."""

    list_display = ["token", "worker", "expires_at", "post_count", "created_at"]
    readonly_fields = ["token", "worker", "expires_at", "post_ids", "created_at"]

    @admin.display(description="Posts")
    def post_count(self, lease):
        return len(lease.post_ids)


@admin.action(description="Activate the selected template", permissions=["change"])
def activate_template(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one template to activate.", messages.ERROR)
        return
    template = services.activate_template(template=queryset.get())
    modeladmin.message_user(request, f"{template.name} is now the active template.", messages.SUCCESS)


@admin.register(AITemplate)
class AITemplateAdmin(ServiceWritesAdmin):
    list_display = ["name", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prompt_text"]
    readonly_fields = ["is_active", "created_at", "updated_at"]
    actions = [activate_template]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.update_template(template=obj, name=obj.name, prompt_text=obj.prompt_text)
        else:
            saved = services.create_template(name=obj.name, prompt_text=obj.prompt_text)
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj):
        services.delete_template(template=obj)

    def delete_queryset(self, request, queryset):
        for template in queryset:
            services.delete_template(template=template)
