"""The ``minent`` command line: a click group whose sub-commands live one module per concept.

Each sub-command module only parses arguments and calls the library; errors meant for the user
(:class:`minent.errors.MinentError`) become one line on stderr and exit code 2, Ctrl-C exits 130,
SIGTERM 143 (both cleanly: no output written, temporary files removed). SIGXFSZ is ignored, so a
file-size limit (``ulimit -f``) surfaces as a failed write (one line), as a full disk does.
"""
import signal
import sys

import click

from .. import __version__
from ..errors import MinentError, Terminated
from ..textio import remove_stale_temps


def _in_finalizer(frame) -> bool:
    """Whether ``frame`` runs inside a finalizer (a ``weakref.finalize`` callback, e.g. the
    shared arena giving a block back, or a ``__del__``): an exception raised there is printed as
    "Exception ignored" and the run goes on as if no signal had come."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or (code.co_name == "__call__" and code.co_filename.endswith("weakref.py")):
            return True
        frame = frame.f_back
    return False


def _deliver_later(signum) -> None:
    import os
    import threading
    threading.Timer(0.02, os.kill, (os.getpid(), signum)).start()


def _on_sigterm(signum, frame):
    if _in_finalizer(frame):
        _deliver_later(signum)  # raised here it would be ignored: again once the finalizer is done
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the clean-up short
    raise Terminated()


def _on_sigint(signum, frame):
    if _in_finalizer(frame):
        _deliver_later(signum)
        return
    raise KeyboardInterrupt()


def _install_signal_handlers() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


#: Command groups imported when invoked (or listed): ``maxent`` loads the classifier, which
#: imports scikit-learn's exception classes when it is installed.
_LAZY_COMMANDS = {"maxent": "maxent"}


class _Group(click.Group):
    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_LAZY_COMMANDS))

    def get_command(self, ctx, name):
        if name in _LAZY_COMMANDS and name not in self.commands:
            import importlib
            importlib.import_module(f"{__name__}.{_LAZY_COMMANDS[name]}")
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        _install_signal_handlers()
        remove_stale_temps()  # what runs killed with SIGKILL left in the temporary folder
        try:
            return super().invoke(ctx)
        except MinentError as exc:
            click.echo(f"minent: error: {exc}", err=True)
            ctx.exit(2)
        except SystemError as exc:
            # a signal's exception raised while a numba kernel returned: CPython wraps it
            stop = _interruption(exc)
            if stop is None:
                raise
            _stopped(ctx, stop)
        except (Terminated, KeyboardInterrupt) as exc:
            _stopped(ctx, exc)
        except BrokenPipeError:
            # downstream of a pipe closed early (e.g. `| head`): not an error
            sys.stderr.close()
            ctx.exit(0)


def _interruption(exc: BaseException):
    """The Terminated / KeyboardInterrupt behind ``exc`` (its cause or context chain), or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (Terminated, KeyboardInterrupt)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _stopped(ctx, exc: BaseException) -> None:
    if isinstance(exc, Terminated):
        click.echo("minent: terminated (no output written)", err=True)
        ctx.exit(143)
    click.echo("minent: interrupted (no output written)", err=True)
    ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="minent")
def main():
    """minent: unsupervised text mining by the minimum-entropy principle."""


def _register():
    from . import lexicon  # noqa: F401  (each module adds its commands to `main`)
    from . import evaluate  # noqa: F401
    for optional in ("templates", "report"):
        try:
            __import__(f"{__name__}.{optional}")
        except ModuleNotFoundError as exc:  # a command group not written yet
            if exc.name != f"{__name__}.{optional}":
                raise


_register()
