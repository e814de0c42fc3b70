"""``python -m minent ...`` runs the command-line interface."""
from minent.commands import main

if __name__ == "__main__":
    main(prog_name="minent")
