"""AIE Bridge engines: pure Python, no Streamlit. Each lab has a small public API and a CLI."""

__version__ = "0.1.0"
