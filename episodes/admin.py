from django.contrib import admin

from episodes.models import Episode, HostProfile, Show, Topic


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ["position", "title", "summary"]
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "recording_at",
        "submissions_close_at",
        "max_audio_seconds",
        "target_minutes",
    ]
    list_filter = ["recording_at", "submissions_close_at"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["hosts"]
    inlines = [TopicInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "episode", "position"]
    list_filter = ["episode"]
    search_fields = ["title", "summary"]
    ordering = ["episode", "position"]


@admin.register(HostProfile)
class HostProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "notify", "stay_after_decision", "digest_sent_until"]
    list_filter = ["notify", "stay_after_decision"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Show)
class ShowAdmin(admin.ModelAdmin):
    list_display = ["name", "tagline", "website", "contact_email"]

    def has_add_permission(self, request):
        # One show per install: the row is created on demand (episodes.services.show_get).
        return not Show.objects.exists()
