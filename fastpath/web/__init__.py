"""The shell every page goes through: what is open now (state), the page and form-page cache,
the error pages, template filters, response headers and hashed static files.

It imports the shared core and the content, never a feature: the one fact it needs from a
feature (is the room full?) is handed in by create_app.
"""
