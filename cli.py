"""Checkout shim: ``python cli.py ...`` runs the same CLI as the installed ``minent`` command."""
from minent.commands import main

if __name__ == "__main__":
    main()
