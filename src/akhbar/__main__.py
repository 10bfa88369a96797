from akhbar.cli import app

app()
