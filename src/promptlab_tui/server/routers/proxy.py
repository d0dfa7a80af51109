"""Proxy mode (placeholder until the proxy router lands)."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["proxy"])
