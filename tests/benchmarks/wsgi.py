"""The app as benchmarked, plus the baseline: a bare Flask view on the same server."""

from fastpath import create_app

app = create_app()


@app.get("/_bench/baseline")
def baseline() -> str:
    return "ok"
