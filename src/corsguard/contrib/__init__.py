"""Framework integrations: Starlette and FastAPI, Flask, Django, Litestar and aiohttp.

Each submodule imports its framework, so import only the one you use, such as
`corsguard.contrib.starlette`. All of them build the same `corsguard.Policy` and accept the
options of `corsguard.CORSConfig`.
"""
