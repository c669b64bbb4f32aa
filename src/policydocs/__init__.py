"""policydocs: legal policies as versioned Markdown, compared, judged and published."""

__version__ = "0.1.0"
