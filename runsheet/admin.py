from django.contrib import admin

from runsheet.models import Entry, Recording, RunSheet, Segment

# What a recording stamps: changed only through the live page's services (runsheet.services.
# recording), which follow AIRING_TRANSITIONS; editing them by hand could break the chapters.
AIR_STAMPS = ["state", "aired_at", "aired_seconds", "aired_offset"]


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["position", "submission", "answer_seconds", "play_clip", "notes", *AIR_STAMPS]
    readonly_fields = AIR_STAMPS
    raw_id_fields = ["submission"]
    extra = 0


@admin.register(RunSheet)
class RunSheetAdmin(admin.ModelAdmin):
    list_display = ["episode", "version", "updated_at"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["title", "episode", "topic", "position", "extra_seconds", "state"]
    list_filter = ["episode"]
    ordering = ["episode", "position"]
    readonly_fields = AIR_STAMPS
    inlines = [EntryInline]


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["episode", "started_at", "ended_at", "trim_seconds", "paused_seconds"]
    list_filter = ["episode"]
    # Everything but the editor's trim is the live page's record of what happened.
    readonly_fields = [
        "episode",
        "started_at",
        "ended_at",
        "paused_at",
        "paused_seconds",
        "version",
        "started_by",
    ]

    def has_add_permission(self, request):
        return False  # recordings start on the live page, which steps the run-sheet too
