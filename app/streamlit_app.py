"""AIE Bridge entry point: page config, the shared sidebar and the navigation."""

from __future__ import annotations

from pathlib import Path

# pandas (and numpy under it) imported before any page runs: plotly looks pandas up in
# sys.modules without importing it, so while one session's page imported pandas for the
# first time another session's chart met the half-initialised module ("partially
# initialized module 'pandas' has no attribute 'Series'", bench/bench_room.py). An import
# here makes every script run wait for the whole module; it costs the server's first run.
import pandas  # noqa: F401
import streamlit as st

from app import ui
from app.nav import built_pages

# a file shipped with the app: a material icon would make the browser fetch it from
# fonts.gstatic.com, which fails offline
FAVICON = Path(__file__).with_name("favicon.svg")
st.set_page_config(page_title="AIE Bridge", page_icon=str(FAVICON), layout="wide")

sections: dict[str, list] = {}
for spec in built_pages():
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.key,
                default=spec.key == "home")
    )
page = st.navigation(sections, expanded=True)
ui.sidebar()
page.run()
