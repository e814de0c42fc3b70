"""`minent evaluate`: SIGHAN-style segmentation scores."""
from __future__ import annotations

import json

import click

from ..evaluate import score_segmentation
from ..newwords import load_reference_words
from ..textio import Corpus
from . import main
from .common import encoding_option


@main.command("evaluate")
@click.argument("gold")
@click.argument("pred")
@click.option("--words", default=None,
              help="Known-word list for OOV recall: a word-list file (first column), a minent "
                   "lexicon, or 'jieba' for jieba's dictionary.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@encoding_option
def evaluate_cmd(gold, pred, words, as_json, encoding):
    """Score segmentation PRED against GOLD (words separated by white space, line by line).

    A word counts as correct when both its boundaries match (SIGHAN definition).
    """
    known = load_reference_words(words) if words else None
    score = score_segmentation(Corpus(gold, encoding).lines(), Corpus(pred, encoding).lines(), known)
    if as_json:
        click.echo(json.dumps(score.as_dict(), indent=1))
    else:
        click.echo(str(score))
