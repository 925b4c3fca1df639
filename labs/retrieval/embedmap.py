"""The embedding map: chunks of the corpus projected to two dimensions, with the query, its
expansion and the retrieved chunks marked.

PCA by SVD of the centred vectors, with each component's sign fixed (its largest loading is
made positive), so the same vectors always give the same picture: SVD alone may flip a
component's sign from one run or one BLAS to the next.

    >>> import numpy as np
    >>> x = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    >>> p = pca(x)
    >>> p.transform(x).round(3).tolist(), p.explained.round(3).tolist()
    ([[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]], [0.8, 0.2])

Left out: UMAP and t-SNE (UMAP needs umap-learn and numba; PCA keeps distances honest along its
two axes and runs in milliseconds). Two axes of 384 keep only part of the variance: the
caption says how much, and nearness on the map is a hint, not the ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(frozen=True)
class Projection:
    mean: np.ndarray
    components: np.ndarray  # (2, d)
    explained: np.ndarray  # share of the variance on each axis

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(np.asarray(x, dtype=np.float64)) - self.mean) @ self.components.T


def pca(x: np.ndarray, dims: int = 2) -> Projection:
    """The first `dims` principal axes of the rows of x, signs fixed."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    comps = vt[:dims].copy()
    for c in comps:  # a deterministic sign: the largest |loading| is positive
        if c[np.argmax(np.abs(c))] < 0:
            c *= -1
    var = s**2
    explained = var[:dims] / var.sum() if var.sum() > 0 else np.zeros(dims)
    if comps.shape[0] < dims:  # fewer rows than axes: pad with zero axes
        comps = np.vstack([comps, np.zeros((dims - comps.shape[0], x.shape[1]))])
        explained = np.pad(explained, (0, dims - len(explained)))
    return Projection(mean, comps, explained)


def map_figure(units, vectors: np.ndarray, titles: dict[str, str],  # type: ignore[no-untyped-def]
               query: np.ndarray | None = None, expanded: np.ndarray | None = None,
               retrieved: list[int] | None = None, max_docs: int = 10) -> tuple[dict, list]:
    """(plotly figure spec, row of each plotted point) for the chunks of the corpus.

    The largest `max_docs` documents get a colour each, the rest share grey; the query is a
    black star, its expansion (Rocchio) a hollow star, retrieved chunks are ringed in red.
    `points[i]` is the unit row behind the i-th point of the chunk traces, in trace order,
    so a selection event (curve, point index) maps back to its chunk."""
    proj = pca(vectors)
    xy = proj.transform(vectors)
    sizes: dict[str, int] = {}
    for u in units:
        sizes[u.doc_id] = sizes.get(u.doc_id, 0) + 1
    top = sorted(sizes, key=lambda d: (-sizes[d], d))[:max_docs]
    groups: dict[str, list[int]] = {d: [] for d in top} | {"other": []}
    for i, u in enumerate(units):
        groups[u.doc_id if u.doc_id in groups else "other"].append(i)
    data, points = [], []
    for n, (doc, rows) in enumerate(g for g in groups.items() if g[1]):
        colour = PALETTE[n % len(PALETTE)] if doc != "other" else "#cbd5e1"
        data.append({"type": "scatter", "mode": "markers", "name": titles.get(doc, doc)[:40]
                     if doc != "other" else "other documents",
                     "x": xy[rows, 0].tolist(), "y": xy[rows, 1].tolist(),
                     "text": [f"{units[r].id}: {units[r].chunk.text[:80]}" for r in rows],
                     "hoverinfo": "text", "marker": {"size": 7, "color": colour,
                                                     "opacity": 0.75}})
        points.append(rows)
    if retrieved:
        r = [i for i in retrieved if 0 <= i < len(units)]
        data.append({"type": "scatter", "mode": "markers", "name": "retrieved",
                     "x": xy[r, 0].tolist(), "y": xy[r, 1].tolist(), "hoverinfo": "skip",
                     "marker": {"size": 14, "color": "rgba(0,0,0,0)",
                                "line": {"color": "#dc2626", "width": 2}}})
    for vec, name, symbol in ((query, "query", "star"), (expanded, "expanded query",
                                                         "star-open")):
        if vec is not None:
            p = proj.transform(vec)[0]
            data.append({"type": "scatter", "mode": "markers", "name": name,
                         "x": [float(p[0])], "y": [float(p[1])], "hoverinfo": "name",
                         "marker": {"size": 18, "color": "#111827", "symbol": symbol}})
    ex = proj.explained
    layout = {"height": 480, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
              "title": {"text": f"Chunks by PCA: the two axes hold {ex.sum():.0%} of the "
                                "variance"},
              "xaxis": {"title": {"text": f"PC1 ({ex[0]:.0%})"}, "zeroline": False},
              "yaxis": {"title": {"text": f"PC2 ({ex[1]:.0%})"}, "zeroline": False},
              "legend": {"itemsizing": "constant"}, "clickmode": "event+select"}
    return {"data": data, "layout": layout}, points


def picked_unit(selection: dict, points: list[list[int]]) -> int | None:
    """The unit row of the first selected chunk point (None for the markers or nothing)."""
    for p in (selection or {}).get("points", []):
        curve, idx = p.get("curve_number"), p.get("point_index", p.get("point_number"))
        if curve is not None and idx is not None and curve < len(points) \
                and idx < len(points[curve]):
            return points[curve][idx]
    return None
