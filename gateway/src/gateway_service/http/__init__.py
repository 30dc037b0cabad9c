"""The gateway's HTTP side: an ASGI app (Starlette) served by uvicorn inside the gateway process."""
