"""The scikit-learn estimator protocol, implemented without importing scikit-learn.

scikit-learn is not a dependency of minent, yet :class:`~minent.maxent.MaxEntClassifier` and
:class:`~minent.features.TextFeatures` should work inside ``Pipeline``, ``GridSearchCV``,
``clone`` and ``check_estimator`` when it is installed. That protocol is small:

* the constructor stores its keyword arguments unchanged under their own names (validation happens
  in ``fit``), so ``get_params`` can read them back from the ``__init__`` signature and ``clone`` can
  rebuild an unfitted copy;
* ``set_params(**params)`` sets them and returns the estimator;
* learned state ends in ``_`` and ``__sklearn_is_fitted__`` says whether it exists;
* ``__sklearn_tags__`` describes the estimator (built from scikit-learn's own tag classes, which
  are only imported when scikit-learn asks for them).

The errors raised for bad data are :class:`~minent.errors.MinentError` subclasses (the command line
prints them on one line) that are also ``ValueError`` / ``AttributeError``, the types
scikit-learn's checks and users of scikit-learn expect.
"""
from __future__ import annotations

import inspect
import warnings

from .errors import InputError, MinentError

__all__ = ["Estimator", "DataError", "DataTypeError", "NotFittedError", "ParameterError", "DataConversionWarning"]


class DataError(InputError, ValueError):
    """X or y cannot be used (wrong shape, NaN, too few examples or classes, ...)."""


class ParameterError(MinentError, ValueError):
    """A constructor parameter has a value outside its documented range."""


class DataTypeError(DataError, TypeError):
    """X holds values that are not numbers."""


try:  # scikit-learn's checks want its own class; ours derives from it when it is installed
    from sklearn.exceptions import NotFittedError as _NotFittedBase
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    class _NotFittedBase(ValueError, AttributeError):
        pass


class NotFittedError(MinentError, _NotFittedBase):
    """``transform`` / ``predict`` called before ``fit``."""


try:  # the same class as scikit-learn's when it is installed, so its filters apply
    from sklearn.exceptions import DataConversionWarning
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    class DataConversionWarning(UserWarning):
        """Input data was converted to the expected shape (e.g. a column vector y to 1-D)."""


def column_vector_warning():
    warnings.warn("A column-vector y was passed when a 1d array was expected; it was "
                  "flattened to shape (n_samples,)", DataConversionWarning, stacklevel=3)


class Estimator:
    """Base class: parameters from the ``__init__`` signature, set/get, repr, fitted test, tags.

    Subclasses name the attribute that exists once fitted in ``_fitted_attr`` and override
    :meth:`_tags` (a dict of scikit-learn tag settings, see :meth:`__sklearn_tags__`).
    """

    _fitted_attr = ""

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def get_params(self, deep=True):
        """Constructor parameters as a dict (``deep`` is accepted for scikit-learn; no parameter
        is itself an estimator)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor parameters; returns self. Unknown names raise :class:`ParameterError`."""
        valid = set(self._param_names())
        for name in params:
            if name not in valid:
                raise ParameterError(f"unknown parameter {name!r} for {type(self).__name__} "
                                     f"(valid: {', '.join(sorted(valid))})")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self):
        """Only the parameters that differ from their defaults, like scikit-learn."""
        sig = inspect.signature(type(self).__init__)
        shown = []
        for name in self._param_names():
            value = getattr(self, name)
            default = sig.parameters[name].default
            if value is default or (_plain(value) and _plain(default) and value == default):
                continue
            shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_is_fitted__(self):
        return hasattr(self, self._fitted_attr)

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit() first")

    def _tags(self):
        """Tag settings: ``estimator_type``, ``requires_y``, and ``input_*`` / ``classifier_*``
        fields of scikit-learn's ``InputTags`` / ``ClassifierTags``."""
        return {"estimator_type": None, "requires_y": False}

    def __sklearn_tags__(self):
        """scikit-learn (>= 1.6) tags, built from :meth:`_tags`; imports scikit-learn."""
        from sklearn.utils import ClassifierTags, Tags, TargetTags, TransformerTags
        spec = self._tags()
        kind = spec.get("estimator_type")
        tags = Tags(estimator_type=kind if kind == "classifier" else None,
                    target_tags=TargetTags(required=spec["requires_y"]))
        for key, value in spec.items():
            if key.startswith("input_"):
                setattr(tags.input_tags, key[len("input_"):], value)
        if kind == "classifier":
            tags.classifier_tags = ClassifierTags()
        elif kind == "transformer":
            tags.transformer_tags = TransformerTags()
        return tags


def _plain(value):
    return isinstance(value, (str, int, float, bool, tuple, type(None)))
