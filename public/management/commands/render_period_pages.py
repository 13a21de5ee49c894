"""The former name of `render_pages`, kept for one release so that crontabs written for
earlier releases keep working (docs/deploy.md has the new line)."""

from public.management.commands.render_pages import Command as RenderPages


class Command(RenderPages):
    help = "Former name of render_pages (use that): " + RenderPages.help
