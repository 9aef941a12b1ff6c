from django.contrib import admin

from runsheet.models import Entry, RunSheet, Segment


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["position", "submission", "answer_seconds", "play_clip", "notes"]
    raw_id_fields = ["submission"]
    extra = 0


@admin.register(RunSheet)
class RunSheetAdmin(admin.ModelAdmin):
    list_display = ["episode", "version", "updated_at"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["title", "episode", "topic", "position", "extra_seconds"]
    list_filter = ["episode"]
    ordering = ["episode", "position"]
    inlines = [EntryInline]
