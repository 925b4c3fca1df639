"""The retrieval lab: corpora (bundled, BEIR, uploads), dense search on FAISS, BM25,
hybrid fusion, reranking, query rewriting, metrics on judged queries, saved experiments.

Read beside the RAG lesson: metrics.py and fusion.py are short and carry worked examples;
engine.py wires chunking, embedding and the indexes together.

Heavy libraries (faiss, bm25s, torch) are imported inside functions, so importing this
package is cheap.
"""

from labs.retrieval.corpus import Corpus, CorpusError, Document, Query, load_beir, load_bundled
from labs.retrieval.engine import MODES, Evaluation, Hit, RetrievalIndex, Settings
from labs.retrieval.uploads import UploadError, load_uploads

__all__ = ["MODES", "Corpus", "CorpusError", "Document", "Evaluation", "Hit", "Query",
           "RetrievalIndex", "Settings", "UploadError", "load_beir", "load_bundled",
           "load_uploads"]
