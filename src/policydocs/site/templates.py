"""The generated pages' HTML lives in Jinja templates (``policydocs/pages/*.html`` in
the package), which a site overrides by putting a file of the same name under its
theme's ``custom_dir`` (``overrides/policydocs/pages/compare.html``), the way
Material's blog lets a site override a post.

Autoescape is on: a store value passed as a string is escaped for HTML text and
attributes; finished fragments (rendered policy text, redlines, dates) are passed
as `Markup` by the page functions, which made them escaped.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

PAGES = "policydocs/pages"


class PageTemplates:
    """The page templates, overrides first (one environment per build)."""

    def __init__(self, override_dirs: tuple[str, ...] = ()) -> None:
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(d) for d in override_dirs
                                            if d and Path(d).is_dir()]
        loaders.append(jinja2.PackageLoader("policydocs", "templates"))
        self.env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                                      undefined=jinja2.StrictUndefined, trim_blocks=True,
                                      lstrip_blocks=True)

    def render(self, page: str, **context: object) -> str:
        return self.env.get_template(f"{PAGES}/{page}.html").render(**context).strip() + "\n"
