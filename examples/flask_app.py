"""The README's Flask example: run with `flask --app examples.flask_app run --host 127.0.0.1`."""

from flask import Flask, request

from corsguard.wsgi import CORSMiddleware

app = Flask(__name__)


@app.get("/data")
def data() -> dict[str, str | None]:
    return {"session": request.cookies.get("sessionId")}


app.wsgi_app = CORSMiddleware(app.wsgi_app, allow_origins=["https://app.example.com"],  # type: ignore[method-assign]
                              allow_credentials=True)
