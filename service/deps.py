"""Dependencies of the routes as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.retrieval.searcher import Searcher
from service.settings import Settings
from service.state import IndexHolder


def get_holder(request: Request) -> IndexHolder:
    return request.app.state.holder


def get_searcher(request: Request) -> Searcher:
    """The searcher of the generation in use when the request started; kept for the whole request."""
    return request.app.state.holder.searcher


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


HolderDep = Annotated[IndexHolder, Depends(get_holder)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
