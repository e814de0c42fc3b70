"""minent: unsupervised text mining by the minimum-entropy principle.

All scores are natural logs (nats) unless a name says bits (``H_bits``, ``L_bits``).

Main entry points
-----------------
learn_lexicon(texts, ...) -> Lexicon     the best lexicon minent learns from raw text (preset
                                         "general": boundary entropy, MDL, re-estimation, affixes,
                                         cohesion floor), on every core / Dask, within a memory
                                         budget; preset "faithful": the four steps of method.md §2
build_lexicon                            the same function (an alias)
LexiconLearner                           the same as an object: fit(texts) -> lexicon_, report_
Lexicon.load / save / segment            TSV lexicon file, unigram minimum-information segmenter
Segmenter                                the frozen numba segmenter behind Lexicon.segment
information_per_char(texts, lexicon)     H, l and L = H/l in bits (method.md §1)
score_segmentation(gold, pred, known)    SIGHAN precision / recall / F1 / OOV recall
Corpus(paths)                            re-iterable streaming text input (files, dirs, globs, -)
description_length(texts, lexicon)      two-part code in bits (method.md §1)
TemplateFinder / Templates               sentence templates across words ("飞象过河"), method.md §4
TemplateParser / Tree                    nested-template parse by minimum information, method.md §5
evaluate_spans(read_conllu(gold), trees) unlabelled span P/R/F1 against UD trees, with baselines
MaxEntClassifier / TextFeatures          maximum-entropy classifier (L-BFGS or GIS), method.md §6
collect_report(texts) -> dict            a whole run's numbers for the HTML report: lexicon (defaults
                                         min_count 3, min_pmi 2.0 nats, max_len 5), templates (window 3,
                                         phrases window 1), information per character in bits/char at
                                         char / word / phrase / template level (in-sample), new words vs
                                         jieba, parse trees; PMI and scores in nats
render_report(data) -> str               that dict as one self-contained HTML page (inline CSS + SVG)
"""
__version__ = "0.1.0"  # the one version source: pyproject.toml reads it (setuptools dynamic); CLI, reports, models use it

from .counting import CharPairCounts, count_chars_pairs
from .codelength import CodeLength, description_length, heldout_information
from .discovery import LexiconLearner, build_lexicon, learn_lexicon
from .entropy import Information, corpus_information, information_per_char
from .errors import FormatError, InputError, MinentError
from .evaluate import SegmentationScore, score_segmentation
from .lexicon import Lexicon, LexiconParams
from .newwords import rank_new_words
from .parse import TemplateParser, Tree, attach_by_boundaries
from .parse_eval import evaluate_spans, read_conllu
from .pretokenize import Rules, spans
from .report import collect_report, render_report
from .segment import Segmenter
from .templates import TemplateFinder, Templates, split_sentences
from .textio import Corpus

__all__ = [
    "__version__", "build_lexicon", "Lexicon", "LexiconParams", "Segmenter", "Corpus",
    "information_per_char", "corpus_information", "Information", "score_segmentation", "SegmentationScore",
    "count_chars_pairs", "CharPairCounts", "rank_new_words", "spans",
    "MinentError", "InputError", "FormatError",
    "learn_lexicon", "LexiconLearner", "Rules", "description_length", "heldout_information", "CodeLength",
    "TemplateFinder", "Templates", "split_sentences", "TemplateParser", "Tree",
    "attach_by_boundaries", "evaluate_spans", "read_conllu",
    "MaxEntClassifier", "TextFeatures", "save_model", "load_model",
    "collect_report", "render_report",
]


#: Loaded on first use: the classifier's modules import scikit-learn's exception classes when it
#: is installed (half a second), which no other command needs.
_LAZY = {"TextFeatures": ".features", "MaxEntClassifier": ".maxent", "load_model": ".maxent",
         "save_model": ".maxent"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
