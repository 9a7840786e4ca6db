"""The README's FastAPI example: run with `uvicorn examples.fastapi_app:app --host 127.0.0.1`."""

from fastapi import FastAPI, Request

from corsguard.asgi import CORSMiddleware

api = FastAPI()


@api.get("/data")
def data(request: Request) -> dict[str, str | None]:
    return {"session": request.cookies.get("sessionId")}


@api.put("/data")
def replace_data(request: Request) -> dict[str, str | None]:
    return {"session": request.cookies.get("sessionId"), "replaced": "yes"}


# Wrap the whole app, so that preflights are answered before any authentication runs and
# error responses (500 included) carry CORS headers too.
app = CORSMiddleware(
    api,
    allow_origins=["https://app.example.com", "http://localhost:5173"],
    allow_credentials=True,
    allow_methods=["PUT", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
    expose_headers=["X-Request-Id"],
    max_age=600,
)
