"""Proxy mode (placeholder until the proxy router lands)."""

from fastapi import APIRouter

from promptlab_tui.server.models import ERROR_RESPONSES

router = APIRouter(prefix="/v1", tags=["proxy"], responses=ERROR_RESPONSES)
