"""AIE Bridge entry point: page config, the shared sidebar and the navigation."""

from __future__ import annotations

import streamlit as st

from app import ui
from app.nav import built_pages

st.set_page_config(page_title="AIE Bridge", page_icon=":material/school:", layout="wide")

sections: dict[str, list] = {}
for spec in built_pages():
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.key,
                default=spec.key == "home")
    )
page = st.navigation(sections, expanded=True)
ui.sidebar()
page.run()
